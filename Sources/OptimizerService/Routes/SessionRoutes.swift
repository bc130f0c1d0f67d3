import Dispatch
import FastJSON
import MicroHTTP
import OptimizerCore
import Synchronization

/// `POST /v1/sessions`, `GET /v1/sessions`, `GET|PATCH|DELETE /v1/sessions/{id}` and
/// `GET /v1/sessions/{id}/checkpoint`.
enum SessionRoutes {
    static func register(on router: inout GuardedRouter, context: ServiceContext) {
        router.on(.post, "/v1/sessions") { request in try create(request, context) }
        router.on(.get, "/v1/sessions") { _ in try list(context) }
        // On a worker: a summary's size follows the session's tensor count, so it is not built on an I/O queue.
        router.on(.get, "/v1/sessions/:id") { request in
            let session = try context.session(for: request)
            let (summary, version) = session.state.withLock { (session.summary(of: $0), $0.version) }
            let etag = session.etag(version: version)
            if let ifNoneMatch = request.headers["If-None-Match"],
                session.matches(ifMatch: ifNoneMatch, version: version)
            {
                return HTTPResponse(status: .notModified, headers: ["ETag": etag])
            }
            let lease = try context.lease(MemoryFootprint.summaryJSON(layout: session.layout), for: "the summary")
            var response = HTTPResponse.json(SessionWriter.summary(summary), lease: lease)
            response.headers.add(name: "ETag", value: etag)
            return response
        }
        router.onDeferred(.patch, "/v1/sessions/:id") { request, responder in
            do {
                let session = try context.session(for: request)
                _ = try request.bodyFormat(allowBinary: false)
                // A base-lr change replays a schedule (up to about a millisecond): never on an I/O queue.
                let quick =
                    context.isQuickChange(bodyCount: request.body.count, session: session)
                    && session.state.withLock { $0.engine.spec.schedule == nil }
                context.enqueue(on: session, responder, now: quick) { session in patch(request, session, context) }
            } catch {
                responder.send(error: error)
            }
        }
        // Deletion runs on the session's lane, after the changes that arrived before it, and
        // removes the files before answering, so a deleted session never comes back after a crash.
        router.onDeferred(.delete, "/v1/sessions/:id") { request, responder in
            do {
                let session = try context.session(for: request)
                context.enqueue(on: session, responder) { session in
                    do throws(ServiceError) {
                        try session.change(ifMatch: request.headers["If-Match"]) { _ in }
                        // The files go first: if they cannot be removed, the session stays as it was
                        // and the client gets a 500, never a 204 for a session that would come back.
                        // No other change runs meanwhile (this is the session's lane).
                        try context.persistence?.destroy(session)
                        session.state.withLock { $0.deleted = true }
                        _ = context.registry.remove(session.id)
                        return HTTPResponse(status: .noContent)
                    } catch {
                        return error.response()
                    }
                }
            } catch {
                responder.send(error: error)
            }
        }
        router.on(.get, "/v1/sessions/:id/checkpoint") { request in
            let session = try context.session(for: request)
            // The lock is held only to take the state (copy-on-write: a reference, no copy); the
            // checkpoint is copied out and encoded after, so readers and steps never wait for it.
            let (engine, name, version) = session.state.withLock { ($0.engine, $0.name, $0.version) }
            let lease = try context.lease(
                MemoryFootprint.checkpointJSON(
                    layout: session.layout, stateBytes: engine.stateBytes(under: engine.spec), dtype: session.dtype),
                for: "the checkpoint")
            let body: [UInt8]
            switch engine {
            case .float32(let e): body = CheckpointWriter.write(e.checkpoint(), name: name)
            case .float64(let e): body = CheckpointWriter.write(e.checkpoint(), name: name)
            }
            var response = HTTPResponse.json(body, lease: lease)
            response.headers.add(name: "ETag", value: session.etag(version: version))
            return response
        }
    }

    // MARK: - Create

    private static func create(_ request: HTTPRequest, _ context: ServiceContext) throws(ServiceError) -> HTTPResponse {
        _ = try request.bodyFormat(allowBinary: false)
        // The parsed values (doubles, then the session dtype) are counted before the body is parsed.
        let parsing = try context.lease(
            MemoryFootprint.parsedJSON(bodyBytes: request.body.count), for: "parsing the body")
        defer { withExtendedLifetime(parsing) {} }
        let session: Session
        switch try CreateSessionRequest.parse(request.body) {
        case .spec(let name, let dtype, let training, let parameters):
            let spec = try ServiceError.bridging { () throws(OptimizerError) in try TrainingSpec(training) }
            let layout = try parameters.layout()
            session = try admit(context, name: name, spec: spec, layout: layout, dtype: dtype) {
                () throws(ServiceError) in
                switch dtype {
                case .float32:
                    .float32(try makeEngine(spec, layout, parameters.flatValues(layout: layout, as: Float.self)))
                case .float64:
                    .float64(try makeEngine(spec, layout, parameters.flatValues(layout: layout, as: Double.self)))
                }
            }
        case .restore(let checkpoint, let name):
            let layout = try checkpoint.parameters.layout()
            let spec = try ServiceError.bridging { () throws(OptimizerError) in try TrainingSpec(checkpoint.training) }
            session = try admit(
                context, name: name ?? checkpoint.name, spec: spec, layout: layout, dtype: checkpoint.dtype
            ) {
                () throws(ServiceError) in
                switch checkpoint.dtype {
                case .float32:
                    .float32(try restoreEngine(checkpoint.engineCheckpoint(as: Float.self, spec: spec, layout: layout)))
                case .float64:
                    .float64(
                        try restoreEngine(checkpoint.engineCheckpoint(as: Double.self, spec: spec, layout: layout)))
                }
            }
        }
        let (summary, version) = session.state.withLock { (session.summary(of: $0), $0.version) }
        var response = HTTPResponse.json(SessionWriter.summary(summary), status: .created)
        response.headers.add(name: "Location", value: "/v1/sessions/\(session.id)")
        response.headers.add(name: "ETag", value: session.etag(version: version))
        return response
    }

    /// Checks the limits and reserves memory before `build` allocates any state, then registers the session.
    private static func admit(
        _ context: ServiceContext, name: String?, spec: TrainingSpec, layout: ParameterLayout, dtype: DType,
        build: () throws(ServiceError) -> SessionEngine
    ) throws(ServiceError) -> Session {
        let limit = context.configuration.maxParametersPerSession
        guard layout.totalCount <= limit else {
            throw .limitExceeded(
                limit: "max_parameters", status: 422,
                "the session would hold \(layout.totalCount) parameters; the limit is \(limit) (--max-parameters)")
        }
        // A zero dimension makes a tensor empty, but its other dimensions still shape the JSON text
        // ([1e8, 0] is 1e8 empty arrays): the session's arrays count against the same limit, so that no
        // JSON response outgrows what its elements would make.
        var arrays = Saturating(0)
        for entry in layout.entries { arrays += MemoryFootprint.jsonArrays(shape: entry.shape) }
        guard arrays.value <= limit else {
            let widest = layout.entries.max {
                MemoryFootprint.jsonArrays(shape: $0.shape) < MemoryFootprint.jsonArrays(shape: $1.shape)
            }
            throw .limitExceeded(
                limit: "max_parameters", status: 422,
                "the parameters' shapes make \(arrays.value == Int.max ? "more than \(limit)" : String(arrays.value)) "
                    + "nested JSON arrays (parameter \"\(widest?.name ?? "")\" has shape "
                    + "\(describeShape(widest?.shape ?? []))); the limit is \(limit) (--max-parameters)")
        }
        let bytes = MemoryFootprint.session(
            layout: layout, stateBytes: spec.stateBytes(parameterCount: layout.totalCount, dtype: dtype), dtype: dtype,
            idempotencyKeys: context.configuration.idempotencyKeysPerSession)
        let reservation = try context.registry.reserve(bytes: bytes, parameters: layout.totalCount)
        do {
            let now = Timestamp.now()
            let id = SessionID.random()
            let state = Session.State(
                engine: try build(), name: name, updatedAt: now,
                idempotency: IdempotencyCache(capacity: context.configuration.idempotencyKeysPerSession))
            // With a data directory the session is durable before it is acknowledged.
            let storage = try context.persistence.map { (persistence) throws(ServiceError) in
                try persistence.create(id: id, snapshot: Session.snapshot(id: id, createdAt: now, state: state))
            }
            let session = Session(id: id, state: state, createdAt: now, storage: storage)
            context.registry.insert(session, for: reservation)
            return session
        } catch {
            context.registry.release(reservation)
            throw error
        }
    }

    private static func makeEngine<S: WireScalar>(
        _ spec: TrainingSpec, _ layout: ParameterLayout, _ values: [S]
    )
        throws(ServiceError) -> OptimizerEngine<S>
    {
        try ServiceError.bridging { () throws(OptimizerError) in
            try OptimizerEngine(spec: spec, layout: layout, initialValues: values)
        }
    }

    private static func restoreEngine<S: WireScalar>(
        _ checkpoint: EngineCheckpoint<S>
    ) throws(ServiceError)
        -> OptimizerEngine<S>
    {
        try ServiceError.bridging { () throws(OptimizerError) in try OptimizerEngine(checkpoint: checkpoint) }
    }

    // MARK: - List

    private static func list(_ context: ServiceContext) throws(ServiceError) -> HTTPResponse {
        let summaries = context.registry.summaries()
        var estimate = Saturating(64)
        for summary in summaries { estimate += MemoryFootprint.summaryJSON(layout: summary.layout) }
        let lease = try context.lease(estimate.value, for: "the session list")
        var writer = JSONWriter(reservingCapacity: 64 + 600 * summaries.count)
        writer.beginObject()
        writer.writeKey("sessions")
        writer.beginArray()
        for summary in summaries { SessionWriter.writeSummary(summary, to: &writer) }
        writer.endArray()
        writer.endObject()
        return .json(writer.bytes, lease: lease)
    }

    // MARK: - Patch

    static let patchMembers = ["name", "optimizer"]

    /// Runs on the session's lane: changes the name and/or default-group hyperparameters.
    private static func patch(_ request: HTTPRequest, _ session: Session, _ context: ServiceContext) -> HTTPResponse {
        do {
            var reader = JSONReader(request.body)
            var name: String??
            var optimizer: ConfigValue?
            var seen: Set<String> = []
            try WireReading.object(&reader, what: "the body") { (key, reader) throws(ServiceError) in
                guard seen.insert(key).inserted else { throw .invalidField("member \"\(key)\" is given twice") }
                switch key {
                case "name": name = .some(try WireReading.optionalName(&reader))
                case "optimizer":
                    let value = try WireReading.value(&reader, context: "optimizer")
                    guard value.objectValue != nil else { throw .invalidField("\"optimizer\" must be an object") }
                    optimizer = ConfigValue(value)
                default: throw .unknownField(key, allowed: patchMembers)
                }
            }
            try WireReading.finish(&reader)
            guard !seen.isEmpty else {
                throw ServiceError.invalidField("the body changes nothing; give \"optimizer\" or \"name\"")
            }
            let (summary, version) = try session.change(ifMatch: request.headers["If-Match"]) {
                (s) throws(ServiceError) -> (SessionSummary, UInt64) in
                if let optimizer {
                    let updated = try ServiceError.bridging { () throws(OptimizerError) in
                        try s.engine.spec.updatingOptimizer(optimizer)
                    }
                    // State the change adds (momentum, centered, amsgrad) is counted before it exists.
                    try context.registry.grow(
                        session, by: s.engine.stateBytes(under: updated) - s.engine.stateBytes(under: s.engine.spec))
                    try ServiceError.bridging { () throws(OptimizerError) in try s.engine.update(optimizer: optimizer) }
                }
                if let name { s.name = name }
                s.version += 1
                s.updatedAt = .now()
                return (session.summary(of: s), s.version)
            }
            try context.persistence?.append(
                .patch(at: summary.updatedAt, name: name, optimizer: optimizer), to: session, registry: context.registry
            )
            var response = HTTPResponse.json(SessionWriter.summary(summary))
            response.headers.add(name: "ETag", value: session.etag(version: version))
            return response
        } catch let error as ServiceError {
            return error.response()
        } catch {
            return ServiceError.internalError().response()
        }
    }
}
