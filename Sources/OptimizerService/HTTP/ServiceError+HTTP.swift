public import MicroHTTP
import OptimizerCore

extension ServiceError: HTTPResponseError {
    /// The HTTP status of the error's code.
    public var status: HTTPStatus { HTTPStatus(code: statusCode) }

    /// The RFC 9457 problem+json response: `type`, `title`, `status`, `detail`, `code` (and `limit`).
    public func response() -> HTTPResponse {
        var response = HTTPResponse.problem(
            status: HTTPStatus(code: statusCode), code: code, detail: detail, title: Self.title(code),
            type: "https://optd.dev/problems/\(code)")
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

extension ServiceError {
    /// Maps an optimizer-core failure to the API's code (all are 422).
    init(_ error: OptimizerError) {
        switch error {
        case .invalidLayout: self = .invalidParameters(error.description)
        default: self = .core(code: error.code, detail: error.description)
        }
    }
}
