public import MicroHTTP

extension ServiceError: HTTPResponseError {
    /// The problem type URI of the error's code (RFC 9457 `type`).
    var problemType: String { "https://optd.dev/problems/\(code)" }

    /// The RFC 9457 problem+json response: `type`, `title`, `status`, `detail`, `code` (and `limit`).
    public func response() -> HTTPResponse {
        var response = HTTPResponse.problem(
            status: HTTPStatus(code: statusCode), code: code, detail: detail, title: Self.title(code),
            type: problemType)
        if let limit, case .bytes(var body) = response.body, body.last == UInt8(ascii: "}") {
            body.removeLast()
            body.append(contentsOf: ",\"limit\":\"\(limit)\"}".utf8)
            response.body = .bytes(body)
        }
        for (name, value) in headers { response.headers.add(name: name, value: value) }
        return response
    }

    /// A short human title per code (`shape_mismatch` → "Shape mismatch").
    static func title(_ code: String) -> String {
        let words = code.split(separator: "_").joined(separator: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }
}
