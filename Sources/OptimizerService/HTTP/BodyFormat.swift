import MicroHTTP

/// The two representations of tensors on the wire: JSON, or raw little-endian IEEE 754 of the
/// session dtype in layout order.
enum BodyFormat: Sendable, Equatable {
    case json
    case binary

    /// The media type.
    var mediaType: String {
        switch self {
        case .json: "application/json"
        case .binary: "application/octet-stream"
        }
    }
}

extension HTTPRequest {
    /// The body's format from `Content-Type`: absent or `application/json` is JSON, and
    /// `application/octet-stream` is binary where `allowBinary`; anything else is a 415 naming the
    /// accepted types.
    func bodyFormat(allowBinary: Bool) throws(ServiceError) -> BodyFormat {
        guard let value = headers["Content-Type"] else { return .json }
        let media = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces().lowercased() } ?? ""
        switch media {
        case "application/json": return .json
        case "application/octet-stream" where allowBinary: return .binary
        default:
            throw .unsupportedMediaType(
                value, accepted: allowBinary ? ["application/json", "application/octet-stream"] : ["application/json"])
        }
    }

    /// The response format from `Accept` (RFC 9110 §12.5.1, with q-values); where `Accept` is
    /// absent or does not decide (`*/*`), `preferred` (the request's own format).
    func responseFormat(preferred: BodyFormat, allowBinary: Bool = true) throws(ServiceError) -> BodyFormat {
        guard let accept = headers["Accept"], !accept.allSatisfy({ $0 == " " }) else { return preferred }
        let offered: [BodyFormat] = allowBinary ? [.json, .binary] : [.json]
        var best: (format: BodyFormat, q: Double)?
        for format in offered {
            let q = Self.quality(of: format.mediaType, in: accept)
            guard q > 0 else { continue }
            if let current = best, q < current.q || (q == current.q && format != preferred) { continue }
            best = (format, q)
        }
        guard let best else { throw .notAcceptable(accept, offered: offered.map(\.mediaType)) }
        return best.format
    }

    /// `Prefer: return=minimal` (RFC 7240).
    var prefersMinimalReturn: Bool {
        headers.values(for: "Prefer").contains { value in
            value.split(separator: ",").contains { $0.trimmingSpaces().lowercased() == "return=minimal" }
        }
    }

    /// The q-value the most specific matching range of `accept` gives `mediaType` (0 if none matches).
    static func quality(of mediaType: String, in accept: String) -> Double {
        let type = mediaType.split(separator: "/").first.map(String.init) ?? ""
        var best: (specificity: Int, q: Double) = (-1, 0)
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingSpaces().lowercased() }
            guard let media = parts.first else { continue }
            let specificity: Int
            if media == mediaType {
                specificity = 2
            } else if media == "\(type)/*" {
                specificity = 1
            } else if media == "*/*" {
                specificity = 0
            } else {
                continue
            }
            var q = 1.0
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                q = Double(parameter.dropFirst(2)).map { min(max($0, 0), 1) } ?? 0
            }
            if specificity > best.specificity { best = (specificity, q) }
        }
        return best.q
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
