import Testing
import TestSupport

/// One request that must fail with a given problem and leave the session exactly as it was.
/// `{id}` in `path` is replaced by the session under test.
struct ErrorCase: CustomTestStringConvertible, Sendable {
    var name: String
    var method: String
    var path: String
    var headers: [(String, String)] = [("Content-Type", "application/json")]
    var body: [UInt8]?
    var status: Int
    var code: String
    /// Words the `detail` must contain (the field and the value at fault).
    var mentions: [String] = []
    /// Header the response must carry, e.g. `("Allow", "POST")`.
    var expectedHeader: (String, String)?

    var testDescription: String { "\(code): \(name)" }

    init(
        _ name: String, _ method: String, _ path: String, json: String? = nil, body: [UInt8]? = nil,
        headers: [(String, String)]? = nil, status: Int = 422, code: String, mentions: [String] = [],
        expectedHeader: (String, String)? = nil
    ) {
        self.name = name
        self.method = method
        self.path = path
        if let headers { self.headers = headers }
        self.body = body ?? json.map { Array($0.utf8) }
        self.status = status
        self.code = code
        self.mentions = mentions
        self.expectedHeader = expectedHeader
    }

    /// Sends the request on `client` (live or in memory) against session `id`, checks the problem and
    /// returns the response.
    @discardableResult
    func run(
        _ client: some TestHTTPClient, id: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> TestResponse {
        let r = try client.request(method, path.replacing("{id}", with: id), headers: headers, body: body)
        expectProblem(r, status: status, code: code, mentions: mentions, sourceLocation: sourceLocation)
        if let (name, value) = expectedHeader {
            // Header lists compare as sets (`Allow: GET, HEAD` in any order).
            func items(_ v: String?) -> Set<String> { Set((v ?? "").split(separator: ",").map { $0.trimmed(" ") }) }
            #expect(
                items(r.header(name)) == items(value), "\(name): \(r.header(name) ?? "none")",
                sourceLocation: sourceLocation)
        }
        return r
    }
}
