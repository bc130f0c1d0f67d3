import Glibc
import Testing
import TestSupport

/// `POST /v1/sessions/{id}/step` and `GET|PUT /v1/sessions/{id}/parameters` over a live socket: JSON and
/// binary bodies, `Accept` negotiation, `Prefer: return=minimal`, chunked and gzip bodies, pipelining.
@Suite struct TrainingRoutesLiveTests {
    static let binary = "application/octet-stream"

    /// SGD lr 0.5 on `w` [2, 2] = [[1, 2], [3, 4]] and `b` [1] = [10]: every update is exact.
    static func sgd(_ dtype: String = "float32") -> JSON {
        [
            "dtype": .string(dtype), "optimizer": ["type": "sgd", "lr": 0.5],
            "parameters": ["w": [[1, 2], [3, 4]], "b": [10]],
        ]
    }

    @Test func jsonStepReturnsStepLrGradNormAndEveryParameter() throws {
        try withClient { client, _ in
            let id = try client.createSession(Self.sgd())
            let r = try client.step(id, ["w": [[2, 0], [0, 0]], "b": [-4]])
            #expect(r.status == 200, "\(r)")
            #expect(r.contentType == "application/json")
            let body = try r.json()
            #expect(body.keys == ["step", "lr", "grad_norm", "parameters"])
            #expect(body["step"]?.int == 1)
            #expect(body["lr"] == 0.5)
            #expect(body["grad_norm"]?.double == (4.0 + 16.0).squareRoot().roundedToFloat)
            #expect(body["parameters"] == ["w": [[0, 2], [3, 4]], "b": [12]])
            #expect(r.header("Optd-Step") == "1")
            #expect(r.header("ETag") != nil)
            // A flat gradient of the right count works for a nested parameter.
            let flat = try client.step(id, ["w": [1, 1, 1, 1]])
            #expect(try flat.json()["parameters"] == ["w": [[-0.5, 1.5], [2.5, 3.5]], "b": [12]])
            #expect(try flat.json()["step"]?.int == 2)
        }
    }

    @Test func aParameterLeftOutAndItsOptimizerStateAreUntouched() throws {
        try withClient { client, _ in
            let id = try client.createSession(Specs.adam)
            _ = try client.step(id, ["w": [[1, 1, 1], [1, 1, 1]]])
            let checkpoint = try client.get("/v1/sessions/\(id)/checkpoint").json()
            // Adam keeps `step` per parameter, as PyTorch does; `b` never had a gradient: no state.
            #expect(checkpoint["state"]?["w"]?["step"]?.int == 1)
            #expect(checkpoint["state"]?["b"] == nil)
            #expect(try SessionRoutesLiveTests.parameters(client, id)["b"] == [0, 0, 0])
            _ = try client.step(id, ["b": [1, 1, 1]])
            let after = try client.get("/v1/sessions/\(id)/checkpoint").json()
            #expect(after["step"]?.int == 2)
            #expect(after["state"]?["w"] == checkpoint["state"]?["w"], "w's state changed without a gradient")
            #expect(after["state"]?["b"]?["step"]?.int == 1)
        }
    }

    @Test func binaryStepMirrorsBinaryAndCarriesStepLrAndNormInHeaders() throws {
        try withClient { client, _ in
            let id = try client.createSession(Self.sgd())
            let r = try client.request(
                "POST", "/v1/sessions/\(id)/step", headers: [("Content-Type", Self.binary)],
                body: LittleEndian.bytes([Float(2), 0, 0, 0, -4]))
            #expect(r.status == 200, "\(r)")
            #expect(r.contentType == Self.binary)
            #expect(LittleEndian.floats(r.body) == [0, 2, 3, 4, 12])
            #expect(r.header("Optd-Step") == "1")
            #expect(r.header("Optd-Lr").flatMap(Double.init) == 0.5)
            #expect(r.header("Optd-Grad-Norm").flatMap(Double.init) == (20.0).squareRoot().roundedToFloat)
            #expect(r.header("ETag") != nil)
            // `Accept: */*` does not decide: still binary.
            let star = try client.request(
                "POST", "/v1/sessions/\(id)/step", headers: [("Content-Type", Self.binary), ("Accept", "*/*")],
                body: LittleEndian.bytes([Float](repeating: 0, count: 5)))
            #expect(star.contentType == Self.binary)
            #expect(star.body.count == 20)
        }
    }

    @Test func acceptChoosesTheResponseFormatWhateverTheRequestFormat() throws {
        try withClient { client, _ in
            let id = try client.createSession(Self.sgd("float64"))
            let jsonFromBinary = try client.request(
                "POST", "/v1/sessions/\(id)/step",
                headers: [("Content-Type", Self.binary), ("Accept", "application/json")],
                body: LittleEndian.bytes([Double(2), 0, 0, 0, -4]))
            #expect(jsonFromBinary.contentType == "application/json")
            #expect(try jsonFromBinary.json()["parameters"] == ["w": [[0, 2], [3, 4]], "b": [12]])
            let binaryFromJSON = try client.step(id, ["b": [2]], headers: [("Accept", Self.binary)])
            #expect(binaryFromJSON.contentType == Self.binary)
            #expect(LittleEndian.doubles(binaryFromJSON.body) == [0, 2, 3, 4, 11])
            #expect(binaryFromJSON.header("Optd-Step") == "2")
            // q-values: binary preferred over JSON.
            let q = try client.step(
                id, ["b": [2]], headers: [("Accept", "application/json;q=0.5, application/octet-stream")])
            #expect(q.contentType == Self.binary)
            let q2 = try client.step(
                id, ["b": [2]], headers: [("Accept", "application/octet-stream;q=0.1, application/*")])
            #expect(q2.contentType == "application/json")
        }
    }

    @Test func preferReturnMinimalLeavesOutTheParameters() throws {
        try withClient { client, _ in
            let id = try client.createSession(Self.sgd())
            let json = try client.step(id, ["b": [2]], headers: [("Prefer", "return=minimal")])
            #expect(json.status == 200)
            #expect(try json.json() == ["step": 1, "lr": 0.5, "grad_norm": 2])
            let binary = try client.request(
                "POST", "/v1/sessions/\(id)/step",
                headers: [("Content-Type", Self.binary), ("Accept", Self.binary), ("Prefer", "return=minimal")],
                body: LittleEndian.bytes([Float](repeating: 1, count: 5)))
            #expect(binary.status == 200)
            #expect(binary.contentType == "application/json")
            let body = try binary.json()
            #expect(
                body["step"]?.int == 2 && body["parameters"] == nil
                    && body["grad_norm"]?.double.map { Float($0) }
                        == Float(5).squareRoot()
            )
            #expect(binary.header("Optd-Step") == "2")
            #expect(
                try SessionRoutesLiveTests.parameters(client, id) == ["w": [[0.5, 1.5], [2.5, 3.5]], "b": [8.5]])
        }
    }

    @Test func chunkedAndGzipBodiesAreAccepted() throws {
        try withClient { client, _ in
            let id = try client.createSession(Self.sgd())
            let body = (["gradients": ["b": [2]]] as JSON).bytes
            let chunked = try client.request(
                "POST", "/v1/sessions/\(id)/step", headers: [("Content-Type", "application/json")], body: body,
                chunkSize: 3)
            #expect(chunked.status == 200, "\(chunked)")
            let gzip = try client.request(
                "POST", "/v1/sessions/\(id)/step",
                headers: [("Content-Type", "application/json"), ("Content-Encoding", "gzip")], body: Gzip.stored(body))
            #expect(gzip.status == 200, "\(gzip)")
            let both = try client.request(
                "PUT", "/v1/sessions/\(id)/parameters",
                headers: [("Content-Type", Self.binary), ("Content-Encoding", "gzip")],
                body: Gzip.stored(LittleEndian.bytes([Float(1), 2, 3, 4, 5])), chunkSize: 7)
            #expect(both.status == 200, "\(both)")
            #expect(LittleEndian.floats(both.body) == [1, 2, 3, 4, 5])
            #expect(try client.get("/v1/sessions/\(id)").json()["step"]?.int == 2)
            // A missing Content-Type is read as JSON.
            let bare = try client.request("POST", "/v1/sessions/\(id)/step", body: body)
            #expect(bare.status == 200, "\(bare)")
        }
    }

    @Test func mediaTypeParametersCaseAndQueryStringsAreAccepted() throws {
        try withClient { client, _ in
            let id = try client.createSession(Self.sgd())
            let body = (["gradients": ["b": [2]]] as JSON).bytes
            let json = try client.request(
                "POST", "/v1/sessions/\(id)/step?trace=1",
                headers: [("Content-Type", "Application/JSON; charset=utf-8")], body: body)
            #expect(json.status == 200, "\(json)")
            let bin = try client.request(
                "POST", "/v1/sessions/\(id)/step", headers: [("Content-Type", "application/octet-stream; v=1")],
                body: LittleEndian.bytes([Float](repeating: 0, count: 5)))
            #expect(bin.status == 200, "\(bin)")
            #expect(try client.get("/v1/sessions?limit=1").status == 200)
            // Equal preference: the request's own format.
            let tie = try client.step(
                id, ["b": [0]], headers: [("Accept", "application/octet-stream, application/json")])
            #expect(tie.contentType == "application/json")
        }
    }

    @Test func expect100ContinueStepsWork() throws {
        try withService { service in
            let client = try service.client()
            let id = try client.createSession(Self.sgd())
            let body = (["gradients": ["b": [2]]] as JSON).bytes
            try client.send(
                "POST /v1/sessions/\(id)/step HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Expect: 100-continue\r\nContent-Length: \(body.count)\r\n\r\n")
            // The interim 100 comes before the body is sent; readResponse skips it after the final answer.
            var interim = [UInt8](repeating: 0, count: 25)
            let n = recv(client.fd, &interim, interim.count, 0)
            #expect(String(decoding: interim.prefix(max(n, 0)), as: UTF8.self).hasPrefix("HTTP/1.1 100 Continue\r\n"))
            try client.send(body)
            let r = try client.readResponse(method: "POST")
            #expect(r.status == 200, "\(r)")
            #expect(try r.json()["parameters"]?["b"] == [9])
        }
    }

    @Test func float32OverflowIsDecidedAtTheRoundingThreshold() throws {
        try withClient { client, _ in
            let id = try client.createSession(Self.sgd())
            // 3.4028235e38 rounds to the largest float; 3.4028236e38 is past the rounding threshold to infinity.
            let ok = try client.request(
                "PUT", "/v1/sessions/\(id)/parameters", headers: [("Content-Type", "application/json")],
                body: Array(#"{"parameters": {"w": [1, 2, 3, 4], "b": [3.4028235e38]}}"#.utf8))
            #expect(ok.status == 200, "\(ok)")
            #expect(try ok.json()["parameters"]?["b"]?.flatFloats == [.greatestFiniteMagnitude])
            expectProblem(
                try client.request(
                    "PUT", "/v1/sessions/\(id)/parameters", headers: [("Content-Type", "application/json")],
                    body: Array(#"{"parameters": {"w": [1, 2, 3, 4], "b": [3.4028236e38]}}"#.utf8)),
                status: 422, code: "non_finite_value", mentions: ["\"b\""])
            // Underflow is not overflow: 1e-400 is a zero gradient.
            let tiny = try client.request(
                "POST", "/v1/sessions/\(id)/step", headers: [("Content-Type", "application/json")],
                body: Array(#"{"gradients": {"w": [1e-400, -1e-400, 0, 0]}}"#.utf8))
            #expect(tiny.status == 200)
            #expect(try tiny.json()["grad_norm"] == 0)
        }
    }

    @Test func pipelinedStepsAreAnsweredInOrder() throws {
        try withClient { client, _ in
            let id = try client.createSession(Specs.bigSGD(count: 3))
            var bytes: [UInt8] = []
            for _ in 0..<10 {
                bytes += HTTPClient.requestBytes(
                    "POST", "/v1/sessions/\(id)/step", headers: [("Content-Type", "application/json")],
                    body: (["gradients": ["p": [1, 2, 3]]] as JSON).bytes)
            }
            bytes += HTTPClient.requestBytes("GET", "/v1/sessions/\(id)/parameters")
            try client.send(bytes)
            for k in 1...10 {
                let r = try client.readResponse(method: "POST")
                #expect(r.status == 200)
                #expect(try r.json()["step"]?.int == k)
                #expect(try r.json()["parameters"]?["p"]?.flatDoubles == [-1, -2, -3].map { Double($0 * k) })
            }
            let last = try client.readResponse()
            #expect(try last.json() == ["step": 10, "parameters": ["p": [-10, -20, -30]]])
        }
    }

    @Test func getParametersAsJSONAndBinaryWithStepAndETag() throws {
        try withClient { client, _ in
            let id = try client.createSession(Self.sgd())
            _ = try client.step(id, ["b": [2]])
            let json = try client.get("/v1/sessions/\(id)/parameters")
            #expect(json.status == 200)
            #expect(json.contentType == "application/json")
            #expect(try json.json() == ["step": 1, "parameters": ["w": [[1, 2], [3, 4]], "b": [9]]])
            #expect(json.header("Optd-Step") == "1")
            let binary = try client.get("/v1/sessions/\(id)/parameters", headers: [("Accept", Self.binary)])
            #expect(binary.contentType == Self.binary)
            #expect(LittleEndian.floats(binary.body) == [1, 2, 3, 4, 9])
            #expect(binary.header("Optd-Step") == "1")
            #expect(binary.header("ETag") == json.header("ETag"))
            #expect(json.header("ETag") == (try client.get("/v1/sessions/\(id)").header("ETag")))
            let head = try client.request("HEAD", "/v1/sessions/\(id)/parameters", headers: [("Accept", Self.binary)])
            #expect(head.status == 200 && head.body.isEmpty)
            #expect(head.header("Content-Length") == "20")
        }
    }

    @Test func putParametersOverwritesValuesAndKeepsOptimizerState() throws {
        try withClient { client, _ in
            let id = try client.createSession(Specs.adam)
            _ = try client.step(id, Specs.adamGradients)
            let before = try client.get("/v1/sessions/\(id)/checkpoint").json()
            let etag = try client.get("/v1/sessions/\(id)").header("ETag")
            let r = try client.request(
                "PUT", "/v1/sessions/\(id)/parameters",
                json: [
                    "parameters": ["w": [[1, 2, 3], [4, 5, 6]], "b": [7, 8, 9]]
                ])
            #expect(r.status == 200, "\(r)")
            #expect(try r.json() == ["step": 1, "parameters": ["w": [[1, 2, 3], [4, 5, 6]], "b": [7, 8, 9]]])
            #expect(r.header("ETag") != nil && r.header("ETag") != etag)
            let after = try client.get("/v1/sessions/\(id)/checkpoint").json()
            #expect(after["state"] == before["state"], "PUT changed the optimizer state")
            #expect(after["step"]?.int == 1)
            // Binary PUT mirrors binary; flat JSON values work too; return=minimal leaves the values out.
            let values: [Float] = [0.25, -0.5, 1, 2, 4, 8, 16, 32, 64]
            let bin = try client.request(
                "PUT", "/v1/sessions/\(id)/parameters", headers: [("Content-Type", Self.binary)],
                body: LittleEndian.bytes(values))
            #expect(bin.contentType == Self.binary)
            #expect(LittleEndian.floats(bin.body) == values)
            let minimal = try client.request(
                "PUT", "/v1/sessions/\(id)/parameters",
                json: ["parameters": ["w": [1, 1, 1, 1, 1, 1], "b": [2, 2, 2]]],
                headers: [("Prefer", "return=minimal")])
            #expect(minimal.status == 200, "\(minimal)")
            #expect(try minimal.json() == ["step": 1])
            #expect(
                try SessionRoutesLiveTests.parameters(client, id) == ["w": [[1, 1, 1], [1, 1, 1]], "b": [2, 2, 2]])
        }
    }

    @Test func largeBinaryRoundTripThroughPutAndGet() throws {
        try withClient { client, _ in
            let count = 60_000
            let id = try client.createSession(Specs.bigSGD(count: count, dtype: "float64"))
            let values = (0..<count).map { Double($0) * 1.000_000_1 - 12345.678 }
            let put = try client.request(
                "PUT", "/v1/sessions/\(id)/parameters",
                headers: [("Content-Type", Self.binary), ("Prefer", "return=minimal")],
                body: LittleEndian.bytes(values))
            #expect(put.status == 200, "\(put)")
            let get = try client.get("/v1/sessions/\(id)/parameters", headers: [("Accept", Self.binary)])
            #expect(get.body.count == count * 8)
            #expect(LittleEndian.doubles(get.body) == values)
            let json = try client.get("/v1/sessions/\(id)/parameters").json()
            #expect(
                json["parameters"]?["p"]?.flatDoubles == values, "the JSON text does not read back to the same doubles")
        }
    }

    @Test func responsesAreGzippedOnlyWhenTheClientAcceptsIt() throws {
        try withClient { client, _ in
            let id = try client.createSession(Specs.bigSGD(count: 5000))
            let plain = try client.get("/v1/sessions/\(id)/parameters")
            #expect(plain.header("Content-Encoding") == nil)
            let gz = try client.get("/v1/sessions/\(id)/parameters", headers: [("Accept-Encoding", "gzip")])
            #expect(gz.status == 200)
            #expect(gz.header("Content-Encoding") == "gzip")
            #expect(gz.body.starts(with: [0x1F, 0x8B]))
            #expect(gz.body.count < plain.body.count)
        }
    }
}

extension Double {
    /// The double nearest to this value's float32 rounding (how a float32 session reports a norm).
    var roundedToFloat: Double { Double(Float(self)) }
}
