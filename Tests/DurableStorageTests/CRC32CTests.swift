import DurableStorage
import Foundation
import Testing

@Suite struct CRC32CTests {
    // Published check values: the CRC catalogue's CRC-32/ISCSI check, and RFC 3720 appendix B.4.
    @Test func matchesPublishedCheckValues() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    @Test func softwareMatchesPublishedCheckValue() {
        let bytes = Array("123456789".utf8)
        #expect(bytes.withUnsafeBytes { CRC32C.softwareChecksum($0) } == 0xE306_9283)
    }

    @Test func hardwareAndSoftwareAgreeOnEveryLengthAndAlignment() {
        let data = testBytes(3 * 8192 * 2 + 3 * 256 + 64, seed: 1)
        data.withUnsafeBytes { raw in
            var lengths = Array(0...1100)
            lengths += [
                3 * 256 - 1, 3 * 256, 3 * 256 + 1, 3 * 8192 - 1, 3 * 8192, 3 * 8192 + 7, 3 * 8192 * 2 + 3 * 256 + 9,
            ]
            for offset in 0..<8 {
                for length in lengths where offset + length <= raw.count {
                    let slice = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)])
                    let fast = CRC32C.checksum(slice, continuing: 0x1234_5678)
                    let slow = CRC32C.softwareChecksum(slice, continuing: 0x1234_5678)
                    if fast != slow {
                        Issue.record("mismatch at offset \(offset) length \(length)")
                        return
                    }
                }
            }
        }
    }

    @Test func chainingEqualsOneChecksumOfTheConcatenation() {
        let data = testBytes(100_003, seed: 2)
        let whole = CRC32C.checksum(data)
        for split in [0, 1, 7, 8, 4096, 50_000, 100_003] {
            let first = CRC32C.checksum(data[..<split])
            #expect(CRC32C.checksum(data[split...], continuing: first) == whole)
        }
        data.withUnsafeBytes { raw in
            let parts = [
                UnsafeRawBufferPointer(rebasing: raw[0..<10]), UnsafeRawBufferPointer(rebasing: raw[10..<10]),
                UnsafeRawBufferPointer(rebasing: raw[10..<70_000]), UnsafeRawBufferPointer(rebasing: raw[70_000...]),
            ]
            #expect(CRC32C.checksum(gathering: parts) == whole)
        }
    }

    @Test func detectsEverySingleBitFlip() {
        var data = testBytes(256, seed: 3)
        let reference = CRC32C.checksum(data)
        for bit in 0..<(data.count * 8) {
            data[bit / 8] ^= 1 << (bit % 8)
            #expect(CRC32C.checksum(data) != reference)
            data[bit / 8] ^= 1 << (bit % 8)
        }
    }

    @Test func usesTheInstructionWhenTheCPUHasSSE42() throws {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        #expect(CRC32C.isHardwareAccelerated == flags.split(separator: " ").contains("sse4_2"))
    }
}
