import DurableStorage
import Testing

@Suite struct FsyncPolicyTests {
    @Test func intervalsCompareBySeconds() {
        #expect(FsyncPolicy.interval(seconds: 1) != .interval(seconds: 2))
        #expect(FsyncPolicy.always != .never)
    }
}
