import OptimizerService
import Testing

@Suite struct ByteSizeTests {
    @Test(arguments: [
        ("1048576", 1_048_576), ("64MiB", 64 << 20), ("8GiB", 8 << 30), ("500MB", 500_000_000),
        ("1 KiB", 1024), ("7b", 7), ("3kb", 3000), ("2TiB", 2 << 40),
    ])
    func parsesNumbersAndUnits(text: String, bytes: Int) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test(arguments: ["", "-1", "1.5GiB", "12 parsecs", "MiB", "99999999999999999999", "9000000000TiB"])
    func rejectsEverythingElse(text: String) {
        #expect(ByteSize.parse(text) == nil)
    }
}
