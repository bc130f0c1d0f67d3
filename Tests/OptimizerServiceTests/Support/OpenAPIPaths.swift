import Foundation

/// The `(method, path)` operations of the repository's `openapi.yaml`, read with a minimal YAML
/// scan: the keys under the top-level `paths:` mapping and their HTTP-method keys (no dependency).
enum OpenAPIPaths {
    /// `openapi.yaml` at the repository root, found from this file's path.
    static var specURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("openapi.yaml")
    }

    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// Every operation as `("GET", "/v1/sessions/{id}")`, in document order.
    static func operations(in yaml: String) -> [(method: String, path: String)] {
        var result: [(method: String, path: String)] = []
        var inPaths = false
        var pathIndent: Int?
        var currentPath: String?
        var childIndent: Int?
        for rawLine in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(rawLine)
            let trimmed = line.drop { $0 == " " }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let indent = line.count - trimmed.count
            if indent == 0 {
                inPaths = trimmed.hasPrefix("paths:")
                currentPath = nil
                continue
            }
            guard inPaths, let colon = trimmed.firstIndex(of: ":") else { continue }
            var key = String(trimmed[..<colon])
            if key.hasPrefix("'") || key.hasPrefix("\"") { key = String(key.dropFirst().dropLast()) }
            if pathIndent == nil { pathIndent = indent }
            if indent == pathIndent {
                currentPath = key
                childIndent = nil
            } else if let path = currentPath, let outer = pathIndent, indent > outer {
                // Only direct children of the path item (the first deeper indent level) are operations.
                if childIndent == nil { childIndent = indent }
                if indent == childIndent, methods.contains(key) { result.append((key.uppercased(), path)) }
            }
        }
        return result
    }

    /// `/v1/sessions/{id}` → `/v1/sessions/:id` (the router's pattern syntax).
    static func routePattern(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? ":" + segment.dropFirst().dropLast() : String(segment)
        }.joined(separator: "/")
    }
}
