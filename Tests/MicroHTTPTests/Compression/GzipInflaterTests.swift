import Testing

@testable import MicroHTTP

@Suite struct GzipInflaterTests {
    static let text = Array(String(repeating: "optd gradient payload ", count: 500).utf8)

    func gzip(_ bytes: [UInt8], level: Int = 6) throws -> [UInt8] {
        try #require(bytes.withUnsafeBytes { GzipDeflater.compress($0, level: level) })
    }

    func inflate(_ input: [UInt8], max: Int = 1 << 20, pieces: Int = 1) throws(GzipInflater.Failure) -> [UInt8] {
        let inflater = GzipInflater(maxOutput: max)
        var out: [UInt8] = []
        let step = Swift.max(1, input.count / pieces)
        var i = 0
        while i < input.count {
            let end = Swift.min(input.count, i + step)
            let r = input[i..<end].withUnsafeBytes { raw in
                Result { () throws(GzipInflater.Failure) in try inflater.inflate(raw, into: &out) }
            }
            try r.get()
            i = end
        }
        try inflater.finish()
        return out
    }

    @Test func roundTripsInAnyPieces() throws {
        let z = try gzip(Self.text)
        #expect(z.count < Self.text.count / 10)
        #expect(z[0] == 0x1f && z[1] == 0x8b)
        for pieces in [1, 2, 7, z.count] {
            #expect(try inflate(z, pieces: pieces) == Self.text)
        }
    }

    @Test func outputAboveTheCapIsRejected() throws {
        let zeros = [UInt8](repeating: 0, count: 4 << 20)
        let z = try gzip(zeros, level: 9)
        #expect(throws: GzipInflater.Failure.tooLarge) { _ = try inflate(z, max: 1 << 20) }
        #expect(try inflate(z, max: 4 << 20).count == 4 << 20)
    }

    @Test func truncatedStreamIsCorrupt() throws {
        let z = try gzip(Self.text)
        #expect(throws: GzipInflater.Failure.corrupt) { _ = try inflate(Array(z.dropLast(4))) }
    }

    @Test func trailingGarbageAndSecondMembersAreCorrupt() throws {
        let z = try gzip(Self.text)
        #expect(throws: GzipInflater.Failure.corrupt) { _ = try inflate(z + [0]) }
        #expect(throws: GzipInflater.Failure.corrupt) { _ = try inflate(z + z) }
        #expect(throws: GzipInflater.Failure.corrupt) { _ = try inflate(z + z, pieces: 2) }
    }

    @Test func zlibDataLabelledGzipIsCorrupt() {
        // zlib header 78 9c, then a stored empty block: valid zlib, not gzip.
        let zlib: [UInt8] = [0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]
        #expect(throws: GzipInflater.Failure.corrupt) { _ = try inflate(zlib) }
    }

    @Test func corruptedCRCIsRejected() throws {
        var z = try gzip(Self.text)
        z[z.count - 6] ^= 0xff
        #expect(throws: GzipInflater.Failure.corrupt) { _ = try inflate(z) }
    }
}
