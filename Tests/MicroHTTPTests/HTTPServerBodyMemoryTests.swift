import CZlib
import Dispatch
import Synchronization
import TestSupport
import Testing

@testable import MicroHTTP

/// A gate that grants up to `limit` outstanding bytes and counts what it was asked.
final class CountingGate: BodyMemoryGate {
    final class Lease: BodyMemoryLease {
        let gate: CountingGate
        let bytes: Int

        init(gate: CountingGate, bytes: Int) {
            self.gate = gate
            self.bytes = bytes
        }

        deinit { _ = gate.outstanding.subtract(bytes, ordering: .relaxed) }
    }

    let limit: Int
    let outstanding = Atomic<Int>(0)
    let reservations = Atomic<Int>(0)
    let largestReservation = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    func reserve(bytes: Int) -> (any BodyMemoryLease)? {
        _ = reservations.add(1, ordering: .relaxed)
        _ = largestReservation.max(bytes, ordering: .relaxed)
        var current = outstanding.load(ordering: .relaxed)
        while true {
            guard current + bytes <= limit else { return nil }
            let (exchanged, original) = outstanding.compareExchange(
                expected: current,
                desired: current + bytes,
                ordering: .relaxed
            )
            if exchanged { return Lease(gate: self, bytes: bytes) }
            current = original
        }
    }

    func refusal(bytes: Int) -> HTTPResponse {
        .problem(status: HTTPStatus(code: 507), code: "memory_budget", detail: "no room for \(bytes) more bytes")
    }

    /// Waits (at most 3 s) for every lease to be released; true when they were.
    func drained() -> Bool {
        for _ in 0..<600 {
            if outstanding.load(ordering: .relaxed) == 0 { return true }
            sleepForTests(milliseconds: 5)
        }
        return outstanding.load(ordering: .relaxed) == 0
    }
}

/// ``BodyMemoryGate``: request bodies are counted before they are buffered, refusals are answered,
/// and every lease is given back, over real sockets.
@Suite(.serialized) struct HTTPServerBodyMemoryTests {
    /// `standardRouter()` plus `/held`, which reports the gate's count and the request's leases while
    /// its handler holds the body, and `/held-deferred`, which keeps the request for 50 ms.
    func router(_ gate: CountingGate) -> Router {
        var router = standardRouter()
        router.on(.post, "/held", execution: .inline) { request in
            .text("\(request.body.count) \(request.bodyLeases.count) \(gate.outstanding.load(ordering: .relaxed))")
        }
        router.onDeferred(.post, "/held-deferred") { request, responder in
            DispatchQueueForTests.global.asyncAfter(deadline: .now() + .milliseconds(50)) {
                responder.send(.text("\(request.body.count) \(gate.outstanding.load(ordering: .relaxed))"))
            }
        }
        return router
    }

    func post(_ path: String, _ body: [UInt8], gzip: Bool = false) -> [UInt8] {
        let encoding = gzip ? "Content-Encoding: gzip\r\n" : ""
        return Array("POST \(path) HTTP/1.1\r\nHost: x\r\n\(encoding)Content-Length: \(body.count)\r\n\r\n".utf8) + body
    }

    func chunked(_ path: String, _ body: [UInt8], piece: Int, gzip: Bool = false) -> [UInt8] {
        let encoding = gzip ? "Content-Encoding: gzip\r\n" : ""
        var out = Array("POST \(path) HTTP/1.1\r\nHost: x\r\n\(encoding)Transfer-Encoding: chunked\r\n\r\n".utf8)
        var i = 0
        while i < body.count {
            let part = body[i..<min(body.count, i + piece)]
            out += Array(String(part.count, radix: 16).utf8) + [13, 10] + part + [13, 10]
            i += piece
        }
        return out + Array("0\r\n\r\n".utf8)
    }

    @Test func smallBodiesDoNotAskTheGate() throws {
        let gate = CountingGate(limit: 0)
        try withServer(router(gate), configure: { $0.bodyMemoryGate = gate }) { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            let body = [UInt8](repeating: 7, count: 60_000)
            try c.send(post("/count", body))
            #expect(try c.readResponse().text == "{\"n\":60000}")
            try c.send(chunked("/count", body, piece: 4000))
            #expect(try c.readResponse().text == "{\"n\":60000}")
            #expect(gate.reservations.load(ordering: .relaxed) == 0)
        }
    }

    @Test func contentLengthBodyIsCountedUpFrontAndRefusedBeyondTheBudget() throws {
        let gate = CountingGate(limit: 1 << 20)
        try withServer(router(gate), configure: { $0.bodyMemoryGate = gate }) { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            let body = [UInt8](repeating: 1, count: 600_000)
            try c.send(post("/held", body))
            // The handler holds the body and its one lease, for exactly the declared length.
            #expect(try c.readResponse().text == "600000 1 600000")
            #expect(gate.drained())
            try c.send(post("/held-deferred", body))
            #expect(try c.readResponse().text == "600000 600000")
            #expect(gate.drained())

            // Beyond the budget: refused from the head alone, before any body byte (no 100 Continue).
            let refused = try HTTPClient(port: port, timeout: 5)
            try refused.send(
                "POST /count HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2000000\r\n\r\n"
            )
            let r = try refused.readResponse()
            #expect(r.status == 507)
            #expect(r.text.contains("memory_budget"))
            #expect(r.header("Connection") == "close")
            #expect(refused.waitForClose())
            #expect(gate.drained())
        }
    }

    @Test func chunkedBodyIsCountedAsItGrowsAndRefusedBeyondTheBudget() throws {
        let gate = CountingGate(limit: 1 << 20)
        try withServer(router(gate), configure: { $0.bodyMemoryGate = gate }) { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            let body = (0..<300_000).map { UInt8(truncatingIfNeeded: $0) }
            try c.send(chunked("/echo", body, piece: 16_000))
            #expect(try c.readResponse().body == body)
            #expect(gate.reservations.load(ordering: .relaxed) > 0)
            #expect(gate.largestReservation.load(ordering: .relaxed) <= BodyMemory.step)
            #expect(gate.drained())

            let refused = try HTTPClient(port: port, timeout: 5)
            // Sends may fail once the server answered and closed; the response is what counts.
            try? refused.send(chunked("/count", [UInt8](repeating: 3, count: 3 << 20), piece: 64_000))
            let r = try refused.readResponse()
            #expect(r.status == 507)
            #expect(r.header("Connection") == "close")
            #expect(gate.drained())
        }
    }

    @Test func gzipBodyIsRefusedWhenItsInflationPassesTheBudget() throws {
        let gate = CountingGate(limit: 4 << 20)
        let bomb = gzipZeros(total: 32 << 20)
        #expect(bomb.count < BodyMemory.ungatedBytes)  // the compressed body itself is not counted
        try withServer(router(gate), configure: { $0.bodyMemoryGate = gate }) { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send(post("/count", bomb, gzip: true))
            let r = try c.readResponse()
            #expect(r.status == 507)
            #expect(r.header("Connection") == "close")
            #expect(gate.drained())

            // Within the budget the inflated body is counted and handed over with its leases.
            let fits = gzipZeros(total: 2 << 20)
            let ok = try HTTPClient(port: port, timeout: 5)
            try ok.send(chunked("/held", fits, piece: 1000, gzip: true))
            let parts = try ok.readResponse().text.split(separator: " ").compactMap { Int($0) }
            #expect(parts.count == 3)
            #expect(parts.first == 2 << 20)
            #expect(parts.count == 3 && parts[1] > 0 && parts[2] >= 2 << 20)
            #expect(gate.drained())

            // A tiny body is tried inline; its output passes the inline cap, so it is inflated again on
            // the worker queue, through the gate.
            let tiny = gzipZeros(total: 100_000)
            #expect(tiny.count <= Connection.inlineInflateLimit)
            let small = try HTTPClient(port: port, timeout: 5)
            try small.send(post("/held", tiny, gzip: true))
            let counted = try small.readResponse().text.split(separator: " ").compactMap { Int($0) }
            #expect(counted.count == 3 && counted[0] == 100_000 && counted[1] > 0)
            // The last request's leases go when its value is freed, just after its response is sent.
            #expect(gate.drained())
            // One whose output fits the inline cap is answered inline, without the gate.
            let before = gate.reservations.load(ordering: .relaxed)
            let inline = try #require(
                Array(repeating: UInt8(7), count: 10_000).withUnsafeBytes {
                    GzipDeflater.compress($0, level: 9)
                })
            try small.send(post("/held", inline, gzip: true))
            #expect(try small.readResponse().text == "10000 0 0")
            #expect(gate.reservations.load(ordering: .relaxed) == before)
            #expect(gate.drained())
        }
    }

    @Test func leasesAreReturnedWhenTheClientDisconnectsMidBody() throws {
        let gate = CountingGate(limit: 64 << 20)
        try withServer(router(gate), configure: { $0.bodyMemoryGate = gate }) { _, port in
            do {
                let c = try HTTPClient(port: port, timeout: 5)
                try c.send(Array("POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: 4000000\r\n\r\n".utf8))
                try c.send([UInt8](repeating: 5, count: 300_000))
                // Wait (bounded) until the server holds the lease, then hang up.
                for _ in 0..<400 where gate.outstanding.load(ordering: .relaxed) == 0 { sleepForTests(milliseconds: 5) }
                #expect(gate.outstanding.load(ordering: .relaxed) == 4_000_000)
            }
            #expect(gate.drained())
            do {
                let c = try HTTPClient(port: port, timeout: 5)
                let partial = chunked("/count", [UInt8](repeating: 9, count: 2 << 20), piece: 32_000)
                try c.send(Array(partial.prefix(1 << 20)))
                for _ in 0..<400 where gate.outstanding.load(ordering: .relaxed) == 0 { sleepForTests(milliseconds: 5) }
                #expect(gate.outstanding.load(ordering: .relaxed) > 0)
            }
            #expect(gate.drained())
        }
    }
}
