import Testing
import TestSupport

/// Asserts that `r` is an RFC 9457 problem with `status` and `code`, whose `detail` contains each of
/// `mentions`, and returns the parsed problem.
@discardableResult
func expectProblem(
    _ r: TestResponse, status: Int, code: String, mentions: [String] = [],
    sourceLocation: SourceLocation = #_sourceLocation
) -> JSON? {
    guard r.status == status, r.contentType == "application/problem+json", let problem = try? r.json() else {
        Issue.record("expected a \(status) \(code) problem, got: \(r)", sourceLocation: sourceLocation)
        return nil
    }
    #expect(
        problem["code"]?.string == code, "code \(problem["code"]?.string ?? "none"), expected \(code): \(r)",
        sourceLocation: sourceLocation)
    #expect(problem["status"]?.int == status, sourceLocation: sourceLocation)
    #expect(problem["title"]?.string?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(problem["type"]?.string?.isEmpty == false, sourceLocation: sourceLocation)
    let detail = problem["detail"]?.string ?? ""
    for word in mentions {
        #expect(detail.contains(word), "detail \"\(detail)\" does not mention \(word)", sourceLocation: sourceLocation)
    }
    return problem
}
