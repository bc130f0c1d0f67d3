import Testing

@testable import OptimizerService

/// Expects `body` to throw a `ServiceError` with `code` (and `status` and `limit`, when given) whose
/// detail mentions each of `mentions`.
func expectServiceError(
    _ code: String, status: Int? = nil, limit: String? = nil, mentions: [String] = [],
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected \(status.map { "a \($0) " } ?? "")\(limit ?? code)", sourceLocation: sourceLocation)
    } catch let error as ServiceError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        if let status { #expect(error.statusCode == status, sourceLocation: sourceLocation) }
        if let limit { #expect(error.limit == limit, "\(error)", sourceLocation: sourceLocation) }
        for word in mentions {
            #expect(
                error.detail.contains(word), "\"\(error.detail)\" does not mention \(word)",
                sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("expected a ServiceError, got \(error)", sourceLocation: sourceLocation)
    }
}
