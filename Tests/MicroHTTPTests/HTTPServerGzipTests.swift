import CZlib
import Glibc
import TestSupport
import Testing

@testable import MicroHTTP

/// gzip request bodies (zip bombs included) and gzip responses, over real sockets.
@Suite(.serialized) struct HTTPServerGzipTests {
    func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        try #require(bytes.withUnsafeBytes { GzipDeflater.compress($0, level: 6) })
    }

    @Test func gzipRequestBodyIsInflatedForTheHandler() throws {
        let plain = Array(String(repeating: "{\"g\":[0.5,1.5]}", count: 1000).utf8)
        let z = try gzip(plain)
        try withServer { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send(
                Array(
                    "POST /count HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: \(z.count)\r\n\r\n"
                        .utf8
                ) + z
            )
            #expect(try c.readResponse().text == "{\"n\":\(plain.count)}")
            // Chunked and gzip together, in small chunks.
            var chunked = Array(
                "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n".utf8
            )
            var i = 0
            while i < z.count {
                let part = z[i..<min(z.count, i + 100)]
                chunked += Array(String(part.count, radix: 16).utf8) + [13, 10] + part + [13, 10]
                i += 100
            }
            chunked += Array("0\r\n\r\n".utf8)
            try c.send(chunked)
            #expect(try c.readResponse().body == plain)
        }
    }

    @Test func largeGzipBodyIsInflatedOffTheIOQueueAndTheConnectionContinues() throws {
        // Poorly compressible bytes: a compressed body far above the inline limit (256 bytes).
        var state: UInt32 = 12345
        let plain = (0..<300_000).map { _ -> UInt8 in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
        let z = try gzip(plain)
        #expect(z.count > 64 * 1024)
        try withServer { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send(
                Array(
                    "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: \(z.count)\r\n\r\n"
                        .utf8) + z)
            let r = try c.readResponse()
            #expect(r.status == 200)
            #expect(r.body == plain)
            try c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try c.readResponse().text == "Hello")
        }
    }

    @Test(arguments: ["truncated", "trailing garbage", "two members", "zlib labelled gzip"])
    func malformedGzipIs400(_ kind: String) throws {
        let z = try gzip(Array("hello hello hello".utf8))
        let body: [UInt8] =
            switch kind {
            case "truncated": Array(z.dropLast(3))
            case "trailing garbage": z + [0x42]
            case "two members": z + z
            default: [0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]
            }
        try withServer { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send(
                Array(
                    "POST /count HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: \(body.count)\r\n\r\n"
                        .utf8
                ) + body
            )
            let r = try c.readResponse()
            #expect(r.status == 400)
            #expect(r.header("Connection") == "close")
        }
    }

    @Test func unsupportedContentEncodingIs415WithAcceptEncoding() throws {
        try withServer { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send("POST /count HTTP/1.1\r\nHost: x\r\nContent-Encoding: br\r\nContent-Length: 3\r\n\r\nabc")
            let r = try c.readResponse()
            #expect(r.status == 415)
            #expect(r.header("Accept-Encoding") == "gzip")
            #expect(r.text.contains("unsupported_media_type"))
        }
    }

    @Test func gzipBombGets413QuicklyWithFlatMemory() throws {
        let bomb = gzipZeros(total: 1 << 30)  // 1 GiB of zeros, about 1 MB compressed
        #expect(bomb.count < 2 << 20)
        try withServer(configure: { $0.maxDecompressedBody = 4 << 20 }) { _, port in
            let before = residentBytesForTests()
            let start = nowMilliseconds()
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send(
                Array(
                    "POST /count HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: \(bomb.count)\r\n\r\n"
                        .utf8
                ) + bomb
            )
            let r = try c.readResponse()
            let elapsed = nowMilliseconds() - start
            let growth = residentBytesForTests() - before
            #expect(r.status == 413)
            #expect(r.text.contains("body_too_large"))
            #expect(elapsed < 2000, "413 after \(elapsed) ms")
            #expect(growth < 64 << 20, "RSS grew by \(growth) bytes")
        }
    }

    @Test func responsesAreGzippedOnlyWhenAcceptedAndUseful() throws {
        var router = Router()
        let json = Array(String(repeating: "{\"key\":\"value\"},", count: 500).utf8)
        router.on(.get, "/json", execution: .inline) { _ in .json(json) }
        router.on(.get, "/small", execution: .inline) { _ in .json(Array("{}".utf8)) }
        router.on(.get, "/floats", execution: .inline) { _ in
            HTTPResponse(
                headers: ["Content-Type": "application/octet-stream"],
                body: .buffer([Float](repeating: 0, count: 1000))
            )
        }
        try withServer(router) { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send("GET /json HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br, gzip\r\n\r\n")
            let zipped = try c.readResponse()
            #expect(zipped.header("Content-Encoding") == "gzip")
            #expect(zipped.header("Vary") == "Accept-Encoding")
            #expect(zipped.body.count < json.count / 5)
            #expect(zipped.header("Content-Length") == String(zipped.body.count))
            let inflater = GzipInflater(maxOutput: 1 << 20)
            var plain: [UInt8] = []
            try zipped.body.withUnsafeBytes { raw in
                try Result { () throws(GzipInflater.Failure) in try inflater.inflate(raw, into: &plain) }.get()
            }
            #expect(plain == json)
            // HEAD gets the same headers, no body.
            try c.send("HEAD /json HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
            let head = try c.readResponse(method: "HEAD")
            #expect(head.header("Content-Length") == zipped.header("Content-Length"))
            #expect(head.header("Content-Encoding") == "gzip")
            try c.send("GET /json HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip;q=0\r\n\r\n")
            let refused = try c.readResponse()
            #expect(refused.header("Content-Encoding") == nil)
            #expect(refused.header("Vary") == "Accept-Encoding")
            #expect(refused.body == json)
            try c.send("GET /small HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
            #expect(try c.readResponse().header("Content-Encoding") == nil)
            try c.send("GET /floats HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
            let floats = try c.readResponse()
            #expect(floats.header("Content-Encoding") == nil)
            #expect(floats.body.count == 4000)
        }
    }

    @Test func largeResponsesAreGzippedOffTheIOQueueInOrder() throws {
        var router = Router()
        let json = Array(String(repeating: "{\"key\":\"value\",\"n\":12345},", count: 10_000).utf8)
        #expect(json.count > Connection.inlineCompressionLimit)
        router.on(.get, "/big", execution: .inline) { _ in .json(json) }
        router.on(.get, "/big-worker", execution: .worker) { _ in .json(json) }
        router.onDeferred(.get, "/big-deferred") { _, responder in responder.send(.json(json)) }
        router.on(.get, "/hello", execution: .inline) { _ in .text("Hello") }
        try withServer(router) { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            // Pipelined: the responses keep their order while the large ones are compressed elsewhere.
            var requests = ""
            for path in ["/big", "/hello", "/big-worker", "/big-deferred", "/hello"] {
                requests += "GET \(path) HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n"
            }
            try c.send(requests)
            for expected in ["big", "Hello", "big", "big", "Hello"] {
                let r = try c.readResponse()
                #expect(r.status == 200)
                if expected == "Hello" {
                    #expect(r.text == "Hello")
                    continue
                }
                #expect(r.header("Content-Encoding") == "gzip")
                #expect(r.header("Vary") == "Accept-Encoding")
                let plain = try GzipInflater.inflateAll(r.body, maxOutput: 1 << 22).get().bytes
                #expect(plain == json)
            }
        }
    }
}
