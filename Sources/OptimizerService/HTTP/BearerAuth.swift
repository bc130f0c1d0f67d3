import MicroHTTP

/// Bearer-token access control (`--auth-token`): compares `Authorization: Bearer <token>` with the
/// configured token in time that depends only on the lengths, never on where they differ.
struct BearerAuth: Sendable {
    private let token: [UInt8]

    init(token: String) {
        self.token = Array(token.utf8)
    }

    /// Throws 401 `unauthorized` unless the request carries the token.
    func check(_ request: HTTPRequest) throws(ServiceError) {
        guard let header = request.headers["Authorization"] else { throw .unauthorized() }
        let bytes = Array(header.utf8)
        let scheme = Array("bearer ".utf8)
        guard bytes.count > scheme.count,
            zip(bytes.prefix(scheme.count), scheme).allSatisfy({ $0 | 0x20 == $1 | 0x20 }),
            Self.constantTimeEquals(Array(bytes.dropFirst(scheme.count)), token)
        else { throw .unauthorized() }
    }

    /// True when `a == b`, reading every byte of both whatever their contents.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        let length = max(a.count, b.count)
        for i in 0..<length {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= x ^ y
        }
        return difference == 0 && a.count == b.count
    }
}
