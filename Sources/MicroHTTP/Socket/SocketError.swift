/// A failed operating-system call on a socket, keeping its evidence (the call and `errno`).
public struct SocketError: Error, Sendable, CustomStringConvertible {
    /// The C function that failed, e.g. `"bind"`.
    public var operation: String
    /// The `errno` value it left.
    public var code: Int32
    /// `strerror(code)`.
    public var message: String

    /// Creates an error for `operation` with `errno` `code` and its text.
    public init(operation: String, code: Int32, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    /// `"bind: Address already in use (errno 98)"`.
    public var description: String { "\(operation): \(message) (errno \(code))" }
}
