import Synchronization
import Testing
import TestSupport

/// Many clients at once: steps on one session are applied one at a time (none lost, none doubled), steps
/// on different sessions run in parallel without crosstalk, and readers never see a half-applied step.
@Suite struct ConcurrencyLiveTests {
    @Test func concurrentStepsOnOneSessionAreEachAppliedExactlyOnce() throws {
        let clients = 4
        let stepsEach = 25
        try withService { service in
            let id = try service.client().createSession(Specs.bigSGD(count: 4))
            let steps = Mutex<[Int]>([])
            try Threads.run(clients) { _ in
                let client = try HTTPClient(port: service.port)
                for _ in 0..<stepsEach {
                    let r = try client.step(id, ["p": [1, 1, 1, 1]], headers: [("Prefer", "return=minimal")])
                    guard r.status == 200, let step = try r.json()["step"]?.int else {
                        throw HTTPClient.Failure.malformed("\(r)")
                    }
                    steps.withLock { $0.append(step) }
                }
            }
            // SGD lr = 1, gradient 1: the value counts the applied steps exactly.
            let client = try service.client()
            let total = clients * stepsEach
            #expect(
                try client.get("/v1/sessions/\(id)/parameters").json() == [
                    "step": .int(total), "parameters": ["p": .numbers([Double](repeating: -Double(total), count: 4))],
                ])
            #expect(steps.withLock { $0.sorted() } == Array(1...total), "each step number is given out once")
        }
    }

    @Test func manySessionsSteppedInParallelKeepTheirOwnState() throws {
        let sessions = 8
        try withService { service in
            let client = try service.client()
            let ids = try (0..<sessions).map { _ in try client.createSession(Specs.bigSGD(count: 1000)) }
            try Threads.run(sessions) { i in
                let c = try HTTPClient(port: service.port)
                // Session i gets gradient i + 1, 20 times, as binary.
                let g = LittleEndian.bytes([Float](repeating: Float(i + 1), count: 1000))
                for k in 1...20 {
                    let r = try c.request(
                        "POST", "/v1/sessions/\(ids[i])/step",
                        headers: [("Content-Type", "application/octet-stream")], body: g)
                    guard r.status == 200, r.header("Optd-Step") == String(k) else {
                        throw HTTPClient.Failure.malformed("\(r)")
                    }
                }
            }
            for (i, id) in ids.enumerated() {
                let r = try client.get(
                    "/v1/sessions/\(id)/parameters", headers: [("Accept", "application/octet-stream")])
                #expect(Set(LittleEndian.floats(r.body)) == [Float(-20 * (i + 1))], "session \(i)")
                #expect(r.header("Optd-Step") == "20")
            }
        }
    }

    @Test func readersDuringStepsNeverSeeAHalfAppliedStep() throws {
        let count = 200_000
        let steps = 30
        try withService { service in
            let id = try service.client().createSession(Specs.bigSGD(count: count))
            let torn = Mutex<[String]>([])
            let reads = Mutex(0)
            let seenSteps = Mutex<Set<Int>>([])
            let writerDone = Atomic<Bool>(false)
            try Threads.run(3, timeout: 60) { i in
                let c = try HTTPClient(port: service.port)
                if i == 0 {
                    defer { writerDone.store(true, ordering: .releasing) }
                    let g = LittleEndian.bytes([Float](repeating: 1, count: count))
                    for _ in 0..<steps {
                        let r = try c.request(
                            "POST", "/v1/sessions/\(id)/step",
                            headers: [("Content-Type", "application/octet-stream"), ("Prefer", "return=minimal")],
                            body: g)
                        guard r.status == 200 else { throw HTTPClient.Failure.malformed("\(r)") }
                    }
                    return
                }
                var lastStep = 0
                var n = 0
                while !writerDone.load(ordering: .acquiring), n < 400 {
                    n += 1
                    let r = try c.get(
                        "/v1/sessions/\(id)/parameters", headers: [("Accept", "application/octet-stream")])
                    let values = LittleEndian.floats(r.body)
                    let step = Int(r.header("Optd-Step") ?? "") ?? -1
                    // Every element equals -step: the whole step, and exactly the step the header names.
                    let expected = Float(-step)
                    if values.count != count || !values.allSatisfy({ $0 == expected }) || step < lastStep {
                        torn.withLock { $0.append("read at step \(step): \(Set(values).count) distinct values") }
                    }
                    lastStep = step
                    seenSteps.withLock { _ = $0.insert(step) }
                }
                reads.withLock { $0 += n }
            }
            #expect(torn.withLock { $0 }.isEmpty, "\(torn.withLock { $0.prefix(5) })")
            #expect(reads.withLock { $0 } > 0)
            // The reads really overlapped the steps: they saw the session at several step counts.
            #expect(seenSteps.withLock { $0.count } >= 2, "reads saw steps \(seenSteps.withLock { $0.sorted() })")
            let final = try service.client().get(
                "/v1/sessions/\(id)/parameters", headers: [("Accept", "application/octet-stream")])
            #expect(Set(LittleEndian.floats(final.body)) == [Float(-steps)])
        }
    }

    @Test func concurrentCreatesAndDeletesKeepTheRegistryConsistent() throws {
        try withService { service in
            let ids = Mutex<[String]>([])
            try Threads.run(4) { _ in
                let c = try HTTPClient(port: service.port)
                for _ in 0..<10 {
                    let id = try c.createSession(Specs.small())
                    ids.withLock { $0.append(id) }
                }
            }
            let all = ids.withLock { $0 }
            #expect(Set(all).count == 40, "ids are unique")
            let client = try service.client()
            #expect(Set(try client.sessionIDs()) == Set(all))
            try Threads.run(4) { t in
                let c = try HTTPClient(port: service.port)
                for id in all[(t * 10)..<(t * 10 + 10)] {
                    let r = try c.request("DELETE", "/v1/sessions/\(id)")
                    guard r.status == 204 else { throw HTTPClient.Failure.malformed("\(r)") }
                }
            }
            #expect(try client.sessionIDs().isEmpty)
            let metrics = try client.get("/metrics").text
            #expect(
                metrics.contains("\noptd_sessions 0\n") && metrics.contains("\noptd_parameters 0\n")
                    && metrics.contains("\noptd_session_state_bytes 0\n"), "gauges return to zero")
        }
    }

    @Test func changesOnOneConnectionApplyInArrivalOrder() throws {
        try withClient { client, _ in
            let id = try client.createSession(Specs.small(optimizer: ["type": "sgd", "lr": 1]))
            // Pipelined: step, patch lr to 0.5, put values, step.
            var bytes = HTTPClient.requestBytes(
                "POST", "/v1/sessions/\(id)/step", headers: [("Content-Type", "application/json")],
                body: (["gradients": ["b": [1, 1]]] as JSON).bytes)
            bytes += HTTPClient.requestBytes(
                "PATCH", "/v1/sessions/\(id)", headers: [("Content-Type", "application/json")],
                body: (["optimizer": ["lr": 0.5]] as JSON).bytes)
            bytes += HTTPClient.requestBytes(
                "PUT", "/v1/sessions/\(id)/parameters", headers: [("Content-Type", "application/json")],
                body: (["parameters": ["w": [8, 8, 8], "b": [4, 4]]] as JSON).bytes)
            bytes += HTTPClient.requestBytes(
                "POST", "/v1/sessions/\(id)/step", headers: [("Content-Type", "application/json")],
                body: (["gradients": ["b": [2, 2]]] as JSON).bytes)
            try client.send(bytes)
            let first = try client.readResponse(method: "POST")
            #expect(try first.json()["parameters"]?["b"] == [-1, 0])
            #expect(try client.readResponse(method: "PATCH").json()["lr"] == 0.5)
            #expect(try client.readResponse(method: "PUT").json()["parameters"]?["b"] == [4, 4])
            let last = try client.readResponse(method: "POST").json()
            #expect(last["step"]?.int == 2)
            #expect(last["lr"] == 0.5)
            #expect(last["parameters"]?["b"] == [3, 3])
        }
    }

    @Test func aDeleteWhileStepsAreQueuedNeverLosesAnAnswer() throws {
        try withService { service in
            let client = try service.client()
            let id = try client.createSession(Specs.bigSGD(count: 100_000))
            let body = LittleEndian.bytes([Float](repeating: 1, count: 100_000))
            let stepper = try service.client()
            var bytes: [UInt8] = []
            for _ in 0..<5 {
                bytes += HTTPClient.requestBytes(
                    "POST", "/v1/sessions/\(id)/step",
                    headers: [("Content-Type", "application/octet-stream"), ("Prefer", "return=minimal")], body: body)
            }
            try stepper.send(bytes)
            #expect(try client.request("DELETE", "/v1/sessions/\(id)").status == 204)
            var statuses: [Int] = []
            for _ in 0..<5 { statuses.append(try stepper.readResponse(method: "POST").status) }
            // Steps that were queued before the delete answer 200 or 404, never anything else, and once a
            // step says 404 no later one succeeds.
            #expect(statuses.allSatisfy { $0 == 200 || $0 == 404 }, "\(statuses)")
            if let first404 = statuses.firstIndex(of: 404) {
                #expect(statuses[first404...].allSatisfy { $0 == 404 }, "\(statuses)")
            }
            expectProblem(try client.get("/v1/sessions/\(id)"), status: 404, code: "session_not_found")
        }
    }
}
