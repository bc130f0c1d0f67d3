/// A malformed JSON document, with the byte offset where reading stopped.
public struct JSONError: Error, Sendable, Equatable {
    /// What was wrong, phrased for a client (`expected ',' or ']' after an array element`).
    public var message: String
    /// Zero-based byte offset into the document.
    public var offset: Int

    public init(_ message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }
}
