import FastJSON
import OptimizerCore

/// Every failure the service's routes report to a client, each with its stable API `code` and HTTP
/// status.
///
/// This is the one place where the service's failures become API codes: `statusCode` and `code` are
/// the contract (`openapi.yaml`, `Problem.code`), and `detail` names the offending field and value.
/// The optimizer core's failures (`OptimizerError`) and FastJSON's (`JSONError`) are mapped here too;
/// only what MicroHTTP answers before a route runs (`HTTPProblem`) has its codes there.
public struct ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stable, machine-readable code (`shape_mismatch`); never changes meaning.
    public let code: String
    /// The HTTP status code the code maps to.
    public let statusCode: Int
    /// A sentence for humans naming the field and the value at fault.
    public let detail: String
    /// For `limit_exceeded`: which configured limit was hit.
    public let limit: String?
    /// Extra response headers (e.g. `Accept` hints); rarely used.
    public let headers: [(String, String)]

    public var description: String { "\(code) (\(statusCode)): \(detail)" }

    private init(
        _ code: String, _ status: Int, _ detail: String, limit: String? = nil, headers: [(String, String)] = []
    ) {
        self.code = code
        self.statusCode = status
        self.detail = detail
        self.limit = limit
        self.headers = headers
    }

    public static func == (lhs: ServiceError, rhs: ServiceError) -> Bool {
        lhs.code == rhs.code && lhs.statusCode == rhs.statusCode && lhs.detail == rhs.detail && lhs.limit == rhs.limit
    }

    /// 400: the body is not JSON (RFC 8259), with the byte offset where reading stopped.
    public static func invalidJSON(_ detail: String) -> ServiceError { .init("invalid_json", 400, detail) }
    /// 401: a bearer token is required and was missing or wrong.
    public static func unauthorized() -> ServiceError {
        .init(
            "unauthorized", 401, "this endpoint requires 'Authorization: Bearer <token>'",
            headers: [("WWW-Authenticate", "Bearer realm=\"optd\"")])
    }
    /// 404: no session has this id.
    public static func sessionNotFound(_ id: String) -> ServiceError {
        .init("session_not_found", 404, "no session has the id \"\(id)\"")
    }
    /// 406: the `Accept` header allows none of the formats the endpoint produces.
    public static func notAcceptable(_ accept: String, offered: [String]) -> ServiceError {
        .init("not_acceptable", 406, "Accept '\(accept)' allows none of: \(offered.joined(separator: ", "))")
    }
    /// 409: a request with this idempotency key is still being applied.
    public static func idempotencyConflict(_ key: String) -> ServiceError {
        .init("idempotency_conflict", 409, "a step with Idempotency-Key \"\(key)\" is still being applied; retry later")
    }
    /// 412: `If-Match` did not match the session's current ETag.
    public static func preconditionFailed(expected: String, current: String) -> ServiceError {
        .init("precondition_failed", 412, "If-Match \(expected) does not match the session's current ETag \(current)")
    }
    /// 413: the body is larger than the configured limit.
    public static func bodyTooLarge(_ detail: String) -> ServiceError { .init("body_too_large", 413, detail) }
    /// 415: the request's Content-Type is not one the endpoint takes.
    public static func unsupportedMediaType(_ got: String, accepted: [String]) -> ServiceError {
        let hint = accepted.contains("application/json") ? " (for curl: -H 'Content-Type: application/json')" : ""
        return .init(
            "unsupported_media_type", 415,
            "Content-Type '\(got)' is not accepted here; send one of: \(accepted.joined(separator: ", "))\(hint)")
    }
    /// 422: a field the request may not carry.
    public static func unknownField(_ field: String, allowed: [String]) -> ServiceError {
        .init("unknown_field", 422, "unknown field \"\(field)\"; expected one of: \(allowed.joined(separator: ", "))")
    }
    /// 422: a field is present with the wrong JSON type, or a required one is missing.
    public static func invalidField(_ detail: String) -> ServiceError { .init("invalid_field", 422, detail) }
    /// 422: the parameters of a create (or restore) are malformed: names, shapes, data counts.
    public static func invalidParameters(_ detail: String) -> ServiceError { .init("invalid_parameters", 422, detail) }
    /// 422: a step or PUT names a parameter the session does not have.
    public static func unknownParameter(_ name: String, known: [String]) -> ServiceError {
        let list = known.prefix(8).map { "\"\($0)\"" }.joined(separator: ", ") + (known.count > 8 ? ", ..." : "")
        return .init("unknown_parameter", 422, "the session has no parameter \"\(name)\" (it has \(list))")
    }
    /// 422: a gradient or value does not have the parameter's shape or element count.
    public static func shapeMismatch(_ detail: String) -> ServiceError { .init("shape_mismatch", 422, detail) }
    /// 422: a gradient holds a NaN or an infinity (or a number too large for the dtype).
    public static func nonFiniteGradient(_ detail: String) -> ServiceError { .init("non_finite_gradient", 422, detail) }
    /// 422: a parameter value is NaN or infinite (or too large for the dtype).
    public static func nonFiniteValue(_ detail: String) -> ServiceError { .init("non_finite_value", 422, detail) }
    /// 422: a step with no gradient at all.
    public static func emptyStep() -> ServiceError {
        .init("empty_step", 422, "a step needs at least one gradient; \"gradients\" is empty")
    }
    /// 422: the same idempotency key was sent with a different body.
    public static func idempotencyKeyReused(_ key: String) -> ServiceError {
        .init(
            "idempotency_key_reused", 422,
            "Idempotency-Key \"\(key)\" was already used with a different body or content type")
    }
    /// 422 `invalid_checkpoint`: a restore body that is not a usable checkpoint.
    public static func invalidCheckpoint(_ detail: String) -> ServiceError { .init("invalid_checkpoint", 422, detail) }
    /// A configured limit was hit (sessions, parameters per session, memory budget), naming it.
    public static func limitExceeded(limit: String, status: Int, _ detail: String) -> ServiceError {
        .init("limit_exceeded", status, detail, limit: limit)
    }
    /// 500: a change was applied in memory but could not be made durable; the session was unloaded
    /// and comes back from its last durable state when the service restarts.
    public static func storageFailed(_ id: String) -> ServiceError {
        .init(
            "storage_failure", 500,
            "the change to session \"\(id)\" could not be written to the data directory; the session was unloaded "
                + "and will be restored from its last durable state on restart")
    }
    /// 500: a stored session cannot be read back from the data directory (a corrupt or unreadable file,
    /// found when an evicted session is loaded again). The server is at fault, not the request; the
    /// files stay on disk as they are, for an operator to inspect.
    public static func storageUnreadable(_ id: String) -> ServiceError {
        .init(
            "storage_failure", 500,
            "session \"\(id)\" could not be read back from the data directory (a corrupt or unreadable file; "
                + "the server log names it); its files are left as they are")
    }
    /// 500: a failure that is the server's fault; the detail never echoes internals.
    public static func internalError() -> ServiceError {
        .init("internal_error", 500, "the server failed to handle this request; it has been logged")
    }
}

extension ServiceError {
    /// An optimizer-core failure as the API reports it: each kind of `OptimizerError` has its own code,
    /// all 422, with the core's description as the detail (an invalid layout is `invalid_parameters`).
    init(_ error: OptimizerError) {
        let detail = error.description
        switch error {
        case .unknownOptimizer: self.init("unknown_optimizer", 422, detail)
        case .unknownSchedule: self.init("unknown_schedule", 422, detail)
        case .unknownHyperparameter: self.init("unknown_hyperparameter", 422, detail)
        case .invalidHyperparameter: self.init("invalid_hyperparameter", 422, detail)
        case .unknownParameter: self.init("unknown_parameter", 422, detail)
        case .shapeMismatch: self = .shapeMismatch(detail)
        case .nonFiniteGradient: self = .nonFiniteGradient(detail)
        case .emptyStep: self.init("empty_step", 422, detail)
        case .scheduleExhausted: self.init("schedule_exhausted", 422, detail)
        case .invalidCheckpoint: self = .invalidCheckpoint(detail)
        case .invalidLayout: self = .invalidParameters(detail)
        }
    }

    /// Runs `body`, reporting an optimizer-core failure as the API does (``init(_:)-OptimizerError``).
    /// Write the closure's thrown type: `bridging { () throws(OptimizerError) in try ... }`.
    static func bridging<Result>(_ body: () throws(OptimizerError) -> Result) throws(ServiceError) -> Result {
        do {
            return try body()
        } catch {
            throw ServiceError(error)
        }
    }

    /// A FastJSON failure: malformed JSON is a 400; well-formed JSON of the wrong type or shape is a 422.
    /// `context` names what was being read (`gradient "w"`).
    init(_ error: JSONError, context: String? = nil) {
        let prefix = context.map { "\($0): " } ?? ""
        switch error.kind {
        case .syntax: self = .invalidJSON("\(prefix)\(error)")
        case .raggedArray: self = .shapeMismatch("\(prefix)\(error)")
        default: self = .invalidField("\(prefix)\(error)")
        }
    }
}
