/// A session's identifier: 128 random bits from the system generator, written as 32 lowercase
/// hex digits (unguessable: the API asks for at least 122 random bits).
public struct SessionID: Hashable, Sendable, CustomStringConvertible {
    /// The 32 hex digits.
    public let description: String

    /// A new random identifier (`SystemRandomNumberGenerator`, i.e. `getrandom(2)` on Linux).
    public static func random() -> SessionID {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return SessionID(validated: hex(high) + hex(low))
    }

    /// Parses 32 lowercase hex digits; anything else is not a session id.
    public init?(_ text: some StringProtocol) {
        guard text.utf8.count == 32,
            text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { return nil }
        self.description = String(text)
    }

    private init(validated: String) {
        self.description = validated
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
