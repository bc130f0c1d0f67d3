/// Random 32-hex-digit ids that no session has.
enum UUIDText {
    static var random: String { (0..<32).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined() }
}
