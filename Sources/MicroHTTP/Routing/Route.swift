/// One registered route: a method, a pattern such as `/v1/sessions/:id/step` and its handler.
package struct Route: Sendable {
    /// How a route answers.
    package enum Handler: Sendable {
        /// A synchronous handler and where it runs.
        case respond(@Sendable (HTTPRequest) throws -> HTTPResponse, RouteExecution)
        /// A handler that answers later through an ``HTTPResponder``; it is called on the I/O queue
        /// and must hand any real work to another queue.
        case deferred(@Sendable (HTTPRequest, HTTPResponder) -> Void)
    }

    /// A pattern segment.
    package enum Segment: Sendable, Equatable {
        /// Matches exactly these bytes.
        case literal([UInt8])
        /// `:name` matches any one non-empty segment.
        case parameter(String)
        /// `*` (last segment only) matches the rest of the path, possibly empty.
        case rest
    }

    package var method: HTTPMethod
    package var pattern: String
    package var segments: [Segment]
    package var handler: Handler

    /// Splits `pattern` (`"/a/:b/*"`) into segments; the pattern must start with `/`.
    package static func segments(of pattern: String) -> [Segment] {
        var parts = pattern.split(separator: "/", omittingEmptySubsequences: false)
        if parts.first == "" { parts.removeFirst() }
        return parts.enumerated().map { i, part in
            if part.hasPrefix(":") && part.count > 1 { return .parameter(String(part.dropFirst())) }
            if part == "*" && i == parts.count - 1 { return .rest }
            return .literal(Array(part.utf8))
        }
    }

    /// Matches `path` (the bytes after the leading `/`), appending captured parameters; returns
    /// false when it does not match. A trailing slash is significant (`/a/` is not `/a`).
    package func matches(_ path: UnsafeBufferPointer<UInt8>, parameters: inout PathParameters) -> Bool {
        var pos = 0
        let end = path.count
        var exhausted = false
        for segment in segments {
            if case .rest = segment { return true }
            if exhausted { return false }
            var next = pos
            while next < end && path[next] != 47 { next += 1 }
            switch segment {
            case .literal(let bytes):
                guard next - pos == bytes.count else { return false }
                for k in 0..<bytes.count where path[pos + k] != bytes[k] { return false }
            case .parameter(let name):
                guard next > pos else { return false }
                let value = UnsafeBufferPointer(rebasing: path[pos..<next])
                parameters.append(name: name, value: String(decoding: value, as: UTF8.self))
            case .rest:
                return true
            }
            if next == end { exhausted = true } else { pos = next + 1 }
        }
        return exhausted
    }
}
