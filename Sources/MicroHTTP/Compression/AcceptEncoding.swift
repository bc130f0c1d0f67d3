/// `Accept-Encoding` negotiation for gzip responses (RFC 9110 §12.5.3).
enum AcceptEncoding {
    /// True when the listed codings make gzip acceptable: `gzip` (or `x-gzip`) with q > 0, or `*` with
    /// q > 0 and no explicit gzip entry. A malformed q counts as 0.
    static func acceptsGzip(_ headers: HTTPHeaders) -> Bool {
        var gzipQ: Double?
        var starQ: Double?
        for value in headers.values(for: "accept-encoding") {
            for element in value.split(separator: ",") {
                let parts = element.split(separator: ";")
                guard let first = parts.first else { continue }
                let coding = first.trimmingSpaces().lowercased()
                var q = 1.0
                for param in parts.dropFirst() {
                    let kv = param.trimmingSpaces()
                    if kv.lowercased().hasPrefix("q=") { q = Double(kv.dropFirst(2)) ?? 0 }
                }
                if !(q >= 0 && q <= 1) { q = 0 }
                if coding == "gzip" || coding == "x-gzip" {
                    gzipQ = max(gzipQ ?? 0, q)
                } else if coding == "*" {
                    starQ = q
                }
            }
        }
        if let gzipQ { return gzipQ > 0 }
        if let starQ { return starQ > 0 }
        return false
    }
}
