import Testing
import TestSupport

/// ETags, `If-Match` and `If-None-Match` on live sessions.
@Suite struct ConditionalRequestLiveTests {
    static func etag(_ client: HTTPClient, _ id: String) throws -> String {
        try client.get("/v1/sessions/\(id)").header("ETag") ?? ""
    }

    @Test func theETagIsOneOpaqueQuotedValueThatChangesWithEveryChangeOnly() throws {
        try withClient { client, _ in
            let create = try client.post("/v1/sessions", json: Specs.adam)
            let id = try create.json()["id"]?.string ?? ""
            var seen: Set<String> = []
            func expectNew(_ tag: String?, _ what: String) {
                #expect(
                    tag.map { $0.hasPrefix("\"") && $0.hasSuffix("\"") } == true, "\(what): \(String(describing: tag))")
                #expect(tag.map { seen.insert($0).inserted } == true, "\(what) did not change the ETag")
            }
            expectNew(create.header("ETag"), "create")
            // Reads agree and change nothing.
            let tag = try Self.etag(client, id)
            #expect(tag == create.header("ETag"))
            #expect(try client.get("/v1/sessions/\(id)/parameters").header("ETag") == tag)
            #expect(try client.get("/v1/sessions/\(id)/checkpoint").header("ETag") == tag)
            #expect(try client.get("/v1/sessions").status == 200)
            #expect(try Self.etag(client, id) == tag)
            let step = try client.step(id, Specs.adamGradients)
            expectNew(step.header("ETag"), "step")
            #expect(try Self.etag(client, id) == step.header("ETag"))
            let binary = try client.request(
                "POST", "/v1/sessions/\(id)/step", headers: [("Content-Type", "application/octet-stream")],
                body: LittleEndian.bytes([Float](repeating: 0.1, count: 9)))
            expectNew(binary.header("ETag"), "binary step")
            let put = try client.request(
                "PUT", "/v1/sessions/\(id)/parameters",
                json: ["parameters": ["w": [1, 2, 3, 4, 5, 6], "b": [0, 0, 0]]])
            expectNew(put.header("ETag"), "PUT")
            let patch = try client.request("PATCH", "/v1/sessions/\(id)", json: ["optimizer": ["lr": 0.5]])
            expectNew(patch.header("ETag"), "PATCH")
            #expect(try Self.etag(client, id) == patch.header("ETag"))
            // Another session never shares an ETag, not even a restored copy at the same step.
            let copy = try client.createSession(["checkpoint": try client.get("/v1/sessions/\(id)/checkpoint").json()])
            expectNew(try Self.etag(client, copy), "restored copy")
            expectNew(try Self.etag(client, try client.createSession(Specs.adam)), "another new session")
        }
    }

    @Test func ifMatchAppliesOnlyAtThatState() throws {
        try withClient { client, _ in
            let id = try client.createSession(Specs.small(optimizer: ["type": "sgd", "lr": 1]))
            let tag0 = try Self.etag(client, id)
            let first = try client.step(id, ["b": [1, 1]], headers: [("If-Match", tag0)])
            #expect(first.status == 200)
            let tag1 = first.header("ETag") ?? ""
            let before = try client.snapshot(id)
            expectProblem(
                try client.step(id, ["b": [1, 1]], headers: [("If-Match", tag0)]), status: 412,
                code: "precondition_failed",
                mentions: [tag0, tag1])
            expectProblem(
                try client.request(
                    "PUT", "/v1/sessions/\(id)/parameters",
                    json: ["parameters": ["w": [0, 0, 0], "b": [0, 0]]], headers: [("If-Match", tag0)]),
                status: 412, code: "precondition_failed")
            expectProblem(
                try client.request("PATCH", "/v1/sessions/\(id)", json: ["name": "x"], headers: [("If-Match", tag0)]),
                status: 412, code: "precondition_failed")
            expectProblem(
                try client.request("DELETE", "/v1/sessions/\(id)", headers: [("If-Match", tag0)]), status: 412,
                code: "precondition_failed")
            #expect(try client.snapshot(id) == before)
            // A list containing the current tag matches, as does `*`.
            let listed = try client.step(id, ["b": [1, 1]], headers: [("If-Match", "\(tag0), \(tag1)")])
            #expect(listed.status == 200, "\(listed)")
            let star = try client.step(id, ["b": [1, 1]], headers: [("If-Match", "*")])
            #expect(star.status == 200)
            #expect(try star.json()["step"]?.int == 3)
            let put = try client.request(
                "PUT", "/v1/sessions/\(id)/parameters", json: ["parameters": ["w": [0, 0, 0], "b": [0, 0]]],
                headers: [("If-Match", star.header("ETag") ?? "")])
            #expect(put.status == 200)
            let patch = try client.request(
                "PATCH", "/v1/sessions/\(id)", json: ["name": "y"], headers: [("If-Match", put.header("ETag") ?? "")])
            #expect(patch.status == 200)
            // A weak or unquoted form of the current tag is not the tag.
            let current = patch.header("ETag") ?? ""
            expectProblem(
                try client.step(id, ["b": [1, 1]], headers: [("If-Match", String(current.dropFirst().dropLast()))]),
                status: 412, code: "precondition_failed")
        }
    }

    @Test func twoWritersFromTheSameStateOneWinsOneGets412() throws {
        try withService { service in
            let a = try service.client()
            let b = try service.client()
            let id = try a.createSession(Specs.bigSGD(count: 2))
            let tag = try Self.etag(a, id)
            let ra = try a.step(id, ["p": [1, 1]], headers: [("If-Match", tag)])
            let rb = try b.step(id, ["p": [5, 5]], headers: [("If-Match", tag)])
            #expect(ra.status == 200)
            expectProblem(rb, status: 412, code: "precondition_failed")
            #expect(try a.get("/v1/sessions/\(id)/parameters").json()["parameters"]?["p"] == [-1, -1])
        }
    }

    @Test func ifNoneMatchAnswers304UntilTheStateChanges() throws {
        try withClient { client, _ in
            let id = try client.createSession(Specs.small())
            let r = try client.get("/v1/sessions/\(id)/parameters")
            let tag = r.header("ETag") ?? ""
            let cached = try client.get("/v1/sessions/\(id)/parameters", headers: [("If-None-Match", tag)])
            #expect(cached.status == 304)
            #expect(cached.body.isEmpty)
            #expect(cached.header("ETag") == tag)
            let binary = try client.get(
                "/v1/sessions/\(id)/parameters",
                headers: [("If-None-Match", tag), ("Accept", "application/octet-stream")])
            #expect(binary.status == 304)
            #expect(
                try client.get("/v1/sessions/\(id)/parameters", headers: [("If-None-Match", "\"other\"")]).status == 200
            )
            #expect(
                try client.get("/v1/sessions/\(id)/parameters", headers: [("If-None-Match", "\"other\", \(tag)")])
                    .status == 304)
            #expect(try client.get("/v1/sessions/\(id)", headers: [("If-None-Match", tag)]).status == 304)
            // The connection is still in sync after bodiless 304s.
            _ = try client.step(id, ["b": [1, 1]])
            let fresh = try client.get("/v1/sessions/\(id)/parameters", headers: [("If-None-Match", tag)])
            #expect(fresh.status == 200)
            #expect(try fresh.json()["step"]?.int == 1)
            #expect(fresh.header("ETag") != tag)
        }
    }
}
