import DurableStorage
import Testing

@Suite struct FsyncPolicyTests {
    @Test func intervalsCompareBySeconds() {
        #expect(FsyncPolicy.interval(seconds: 1) != .interval(seconds: 2))
        #expect(FsyncPolicy.always != .never)
    }

    @Test func parsesTheCommandLineForms() {
        #expect(FsyncPolicy(argument: "always") == .always)
        #expect(FsyncPolicy(argument: "never") == .never)
        #expect(FsyncPolicy(argument: "interval=1") == .interval(seconds: 1))
        #expect(FsyncPolicy(argument: "interval=0.25") == .interval(seconds: 0.25))
    }

    @Test(arguments: [
        "", "sometimes", "interval", "interval=", "interval=0", "interval=-1", "interval=nan", "interval=inf",
        "interval=1e9", "Always", "interval=1s",
    ])
    func rejectsMalformedArguments(_ argument: String) {
        #expect(FsyncPolicy(argument: argument) == nil)
    }

    @Test func descriptionRoundTrips() {
        for policy in [FsyncPolicy.always, .never, .interval(seconds: 1), .interval(seconds: 0.5)] {
            #expect(FsyncPolicy(argument: policy.description) == policy)
        }
    }

    @Test func logsRejectAnInvalidInterval() throws {
        let directory = TemporaryDirectory()
        #expect(throws: StorageError.self) {
            try RecordLog.create(at: directory.file("log"), policy: .interval(seconds: 0))
        }
        #expect(!Disk.exists(directory.file("log")))
    }
}
