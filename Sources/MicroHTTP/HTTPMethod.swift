/// The request methods MicroHTTP recognises (RFC 9110 §9, plus QUERY, the safe method with a body
/// registered by the HTTP working group); a route without the method answers 405 with `Allow`, and
/// any other token is answered with 501.
public enum HTTPMethod: String, Sendable, CaseIterable, Hashable {
    case get = "GET"
    case head = "HEAD"
    case post = "POST"
    case put = "PUT"
    case patch = "PATCH"
    case delete = "DELETE"
    case options = "OPTIONS"
    case trace = "TRACE"
    case connect = "CONNECT"
    case query = "QUERY"

    /// Matches a method token exactly (methods are case-sensitive, RFC 9110 §9.1); nil if unknown.
    init?(token: UnsafeBufferPointer<UInt8>) {
        func eq(_ s: StaticString) -> Bool {
            guard token.count == s.utf8CodeUnitCount else { return false }
            let p = s.utf8Start
            for i in 0..<token.count where token[i] != p[i] { return false }
            return true
        }
        switch token.count {
        case 3: if eq("GET") { self = .get } else if eq("PUT") { self = .put } else { return nil }
        case 4: if eq("POST") { self = .post } else if eq("HEAD") { self = .head } else { return nil }
        case 5:
            if eq("PATCH") {
                self = .patch
            } else if eq("TRACE") {
                self = .trace
            } else if eq("QUERY") {
                self = .query
            } else {
                return nil
            }
        case 6: if eq("DELETE") { self = .delete } else { return nil }
        case 7: if eq("OPTIONS") { self = .options } else if eq("CONNECT") { self = .connect } else { return nil }
        default: return nil
        }
    }
}
