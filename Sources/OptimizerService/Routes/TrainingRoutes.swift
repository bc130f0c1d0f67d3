import Dispatch
import FastJSON
import MicroHTTP
import OptimizerCore
import Synchronization

/// `POST /v1/sessions/{id}/step` and `GET|PUT /v1/sessions/{id}/parameters`.
///
/// Changes go to the session's lane as soon as their head and body have arrived, so they apply in
/// arrival order. A small change (``ServiceContext/isQuickChange(bodyCount:session:)``) is decoded on the
/// connection's I/O queue and, when the session is idle, stepped and answered there too; a large one
/// is decoded, stepped and encoded on the lane's queue, so that no I/O queue is held for long. The
/// lock is held only while the engine changes.
enum TrainingRoutes {
    static func register(on router: inout GuardedRouter, context: ServiceContext) {
        router.onDeferred(.post, "/v1/sessions/:id/step") { request, responder in
            do {
                let session = try context.session(for: request)
                let format = try request.bodyFormat(allowBinary: true)
                let responseFormat = try request.responseFormat(preferred: format)
                // A small body is decoded here, so that decoding overlaps other requests' steps,
                // and a malformed one is answered without queueing.
                let quick = context.isQuickChange(bodyCount: request.body.count, session: session)
                let predecoded = quick ? try decodeGradients(request.body, format: format, session: session) : nil
                let lease = try responseLease(request, session, context, responseFormat)
                let claim = try request.headers["Idempotency-Key"].map { (key) throws(ServiceError) in
                    try IdempotencyClaim.begin(key: key, on: session)
                }
                let step = StepRequest(
                    request: request, format: format, responseFormat: responseFormat, claim: claim,
                    predecoded: predecoded, lease: lease)
                context.enqueue(on: session, responder, now: quick) { session in
                    apply(step, to: session, context: context)
                }
            } catch {
                responder.send(error: error)
            }
        }
        router.onDeferred(.put, "/v1/sessions/:id/parameters") { request, responder in
            do {
                let session = try context.session(for: request)
                let format = try request.bodyFormat(allowBinary: true)
                let responseFormat = try request.responseFormat(preferred: format)
                let quick = context.isQuickChange(bodyCount: request.body.count, session: session)
                let lease = try responseLease(request, session, context, responseFormat)
                context.enqueue(on: session, responder, now: quick) { session in
                    put(request, session, context, format, responseFormat, lease)
                }
            } catch {
                responder.send(error: error)
            }
        }
        router.on(.get, "/v1/sessions/:id/parameters") { request in
            let session = try context.session(for: request)
            let responseFormat = try request.responseFormat(preferred: .json)
            let (step, values, version) = session.state.withLock {
                ($0.engine.stepCount, $0.engine.parameterValues, $0.version)
            }
            if let ifNoneMatch = request.headers["If-None-Match"],
                session.matches(ifMatch: ifNoneMatch, version: version)
            {
                return HTTPResponse(status: .notModified, headers: ["ETag": session.etag(version: version)])
            }
            let lease = try responseLease(request, session, context, responseFormat)
            return parametersResponse(
                session, step: step, values: values, version: version, format: responseFormat, minimal: false,
                lease: lease)
        }
    }

    /// The memory budget's lease for a JSON response with every parameter, taken when the request
    /// arrives (before a step applies), or nil for binary and `Prefer: return=minimal` responses.
    /// - Throws: 507 `limit_exceeded` (`memory_budget`); a binary response needs no lease.
    private static func responseLease(
        _ request: HTTPRequest, _ session: Session, _ context: ServiceContext, _ responseFormat: BodyFormat
    ) throws(ServiceError) -> MemoryLease? {
        guard responseFormat == .json, !request.prefersMinimalReturn else { return nil }
        return try context.lease(
            session.parametersJSONBytes, for: "the JSON response (application/octet-stream needs none)")
    }

    // MARK: - Step

    /// What a step request brings to the session's lane, read when it arrived.
    struct StepRequest: Sendable {
        let request: HTTPRequest
        /// The body's format.
        let format: BodyFormat
        /// The format of the answer (`Accept`).
        let responseFormat: BodyFormat
        /// The `Idempotency-Key` claimed on arrival, if the request has one.
        let claim: IdempotencyClaim?
        /// The gradients and presence mask of a small body, decoded on arrival; nil for a large one.
        let predecoded: (StepGradients, [Bool])?
        /// The memory budget's lease for a JSON answer with every parameter.
        let lease: MemoryLease?
    }

    /// Applies a step and builds its answer; runs on the session's lane.
    private static func apply(_ step: StepRequest, to session: Session, context: ServiceContext) -> HTTPResponse {
        let (request, format, responseFormat) = (step.request, step.format, step.responseFormat)
        let (claim, predecoded, lease) = (step.claim, step.predecoded, step.lease)
        let digest = claim.map { _ in BodyDigest(body: request.body, contentType: format.mediaType) }
        do {
            if let claim, let digest, let replay = try claim.replay(digest: digest, on: session) {
                return stepResponse(
                    session, replay.report, replay.values, replay.version, request, responseFormat, lease)
            }
            let gradients: StepGradients
            let present: [Bool]
            if let predecoded {
                (gradients, present) = predecoded
            } else {
                (gradients, present) = try decodeGradients(request.body, format: format, session: session)
            }
            let (report, values, version) = try session.change(ifMatch: request.headers["If-Match"]) {
                (s) throws(ServiceError) -> (StepReport, TensorValues, UInt64) in
                let start = DispatchTime.now().uptimeNanoseconds
                let report = try ServiceError.bridging { () throws(OptimizerError) in
                    try s.engine.step(gradients: gradients, present: present)
                }
                context.metrics.recordStep(seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                s.version += 1
                s.updatedAt = .now()
                if let claim, let digest { s.idempotency.complete(claim.key, digest: digest, report: report) }
                return (report, s.engine.parameterValues, s.version)
            }
            // Durable (per --fsync) before it is acknowledged.
            try context.persistence?.append(
                .step(
                    at: .now(), present: present, gradients: gradients, key: claim?.key, digest: digest, report: report),
                to: session, registry: context.registry)
            return stepResponse(session, report, values, version, request, responseFormat, lease)
        } catch {
            claim?.cancel(on: session)
            return error.response()
        }
    }

    /// JSON gradients decoded into a flat buffer; a binary body is only checked for length and
    /// stepped from in place (no copy of, say, 40 MB for 10M float32 parameters).
    private static func decodeGradients(
        _ body: [UInt8], format: BodyFormat, session: Session
    ) throws(ServiceError)
        -> (StepGradients, [Bool])
    {
        switch (session.dtype, format) {
        case (.float32, .binary):
            try TensorInput<Float>.checkBinaryLength(body.count, layout: session.layout)
            return (.littleEndian(body), [Bool](repeating: true, count: session.layout.count))
        case (.float64, .binary):
            try TensorInput<Double>.checkBinaryLength(body.count, layout: session.layout)
            return (.littleEndian(body), [Bool](repeating: true, count: session.layout.count))
        case (.float32, .json):
            let input = try decode(body, format: format, layout: session.layout, role: .gradient, as: Float.self)
            return (.values(.float32(input.values)), input.present)
        case (.float64, .json):
            let input = try decode(body, format: format, layout: session.layout, role: .gradient, as: Double.self)
            return (.values(.float64(input.values)), input.present)
        }
    }

    /// Reads `{"gradients": {...}}` / `{"parameters": {...}}` or a binary body.
    private static func decode<S: WireScalar>(
        _ body: [UInt8], format: BodyFormat, layout: ParameterLayout, role: TensorInput<S>.Role, as type: S.Type
    ) throws(ServiceError) -> TensorInput<S> {
        var input = TensorInput<S>(layout: layout, role: role)
        switch format {
        case .binary:
            try input.readBinary(body)
        case .json:
            let member = role == .gradient ? "gradients" : "parameters"
            var reader = JSONReader(body)
            var found = false
            try WireReading.object(&reader, what: "the body") { (key, reader) throws(ServiceError) in
                guard key == member else { throw .unknownField(key, allowed: [member]) }
                guard !found else { throw .invalidField("member \"\(member)\" is given twice") }
                found = true
                try input.readObject(&reader)
            }
            try WireReading.finish(&reader)
            guard found else { throw .invalidField("\"\(member)\" is required") }
        }
        if role == .gradient, !input.present.contains(true) { throw .emptyStep() }
        if role == .value, let missing = input.present.firstIndex(of: false) {
            throw .shapeMismatch(
                "value for parameter \"\(layout.entries[missing].name)\" is missing; PUT replaces every parameter")
        }
        return input
    }

    private static func stepResponse(
        _ session: Session, _ report: StepReport, _ values: TensorValues, _ version: UInt64, _ request: HTTPRequest,
        _ responseFormat: BodyFormat, _ lease: MemoryLease?
    ) -> HTTPResponse {
        var headers: HTTPHeaders = [
            "ETag": session.etag(version: version),
            "Optd-Step": String(report.step),
            "Optd-Lr": SessionWriter.numberText(report.lr),
            "Optd-Grad-Norm": SessionWriter.numberText(report.gradNorm),
        ]
        let minimal = request.prefersMinimalReturn
        if responseFormat == .binary, !minimal {
            headers.add(name: "Content-Type", value: BodyFormat.binary.mediaType)
            return HTTPResponse(status: .ok, headers: headers, body: values.body)
        }
        var writer = JSONWriter(
            reservingCapacity: minimal
                ? 96 : SessionWriter.estimatedBytes(parameterCount: values.count, dtype: session.dtype))
        writer.beginObject()
        writer.writeKey("step")
        writer.writeInt(report.step)
        writer.writeKey("lr")
        writer.writeDouble(report.lr)
        writer.writeKey("grad_norm")
        writer.writeDouble(report.gradNorm)
        if !minimal { SessionWriter.writeParameters(values, layout: session.layout, to: &writer) }
        writer.endObject()
        headers.add(name: "Content-Type", value: BodyFormat.json.mediaType)
        return HTTPResponse(status: .ok, headers: headers, body: .leased(writer.bytes, lease))
    }

    // MARK: - Parameters

    /// Runs on the session's lane.
    private static func put(
        _ request: HTTPRequest, _ session: Session, _ context: ServiceContext, _ format: BodyFormat,
        _ responseFormat: BodyFormat, _ lease: MemoryLease?
    )
        -> HTTPResponse
    {
        do {
            let values: TensorValues
            switch session.dtype {
            case .float32:
                values = .float32(
                    try decode(request.body, format: format, layout: session.layout, role: .value, as: Float.self)
                        .values)
            case .float64:
                values = .float64(
                    try decode(request.body, format: format, layout: session.layout, role: .value, as: Double.self)
                        .values)
            }
            let (step, current, version) = try session.change(ifMatch: request.headers["If-Match"]) {
                (s) throws(ServiceError) -> (Int, TensorValues, UInt64) in
                try ServiceError.bridging { () throws(OptimizerError) in try s.engine.setParameters(values) }
                s.version += 1
                s.updatedAt = .now()
                return (s.engine.stepCount, s.engine.parameterValues, s.version)
            }
            try context.persistence?.append(.put(at: .now(), values: values), to: session, registry: context.registry)
            return parametersResponse(
                session, step: step, values: current, version: version, format: responseFormat,
                minimal: request.prefersMinimalReturn, lease: lease)
        } catch {
            return error.response()
        }
    }

    /// `{"step": n, "parameters": {...}}`, or the raw parameters with `Optd-Step`.
    private static func parametersResponse(
        _ session: Session, step: Int, values: TensorValues, version: UInt64, format: BodyFormat, minimal: Bool,
        lease: MemoryLease?
    ) -> HTTPResponse {
        var headers: HTTPHeaders = ["ETag": session.etag(version: version), "Optd-Step": String(step)]
        if format == .binary, !minimal {
            headers.add(name: "Content-Type", value: BodyFormat.binary.mediaType)
            return HTTPResponse(status: .ok, headers: headers, body: values.body)
        }
        var writer = JSONWriter(
            reservingCapacity: minimal
                ? 32 : SessionWriter.estimatedBytes(parameterCount: values.count, dtype: session.dtype))
        writer.beginObject()
        writer.writeKey("step")
        writer.writeInt(step)
        if !minimal { SessionWriter.writeParameters(values, layout: session.layout, to: &writer) }
        writer.endObject()
        headers.add(name: "Content-Type", value: BodyFormat.json.mediaType)
        return HTTPResponse(status: .ok, headers: headers, body: .leased(writer.bytes, lease))
    }
}
