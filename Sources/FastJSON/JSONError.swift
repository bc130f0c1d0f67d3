/// A JSON document that could not be read as asked, with the byte offset where reading stopped.
///
/// `kind` tells a malformed document (`.syntax`, `.depthLimit`: HTTP 400 material) from a well-formed one
/// that does not have the shape the caller asked for (`.typeMismatch`, `.raggedArray`,
/// `.numberOutOfRange`: usually a 422). Reading stops at the first error, so a document that fails with one
/// of the latter kinds may still be malformed further on.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, phrased for a client (`expected ',' or ']' after an array element`).
    public var message: String
    /// Zero-based byte offset into the document.
    public var offset: Int
    /// The class of failure; `.syntax` unless stated otherwise.
    public var kind: Kind

    /// Creates an error.
    /// - Parameters:
    ///   - message: what was wrong, for a client.
    ///   - offset: zero-based byte offset into the document.
    ///   - kind: the class of failure (default `.syntax`).
    public init(_ message: String, offset: Int, kind: Kind = .syntax) {
        self.message = message
        self.offset = offset
        self.kind = kind
    }

    /// `"<message> at byte <offset>"`.
    public var description: String { "\(message) at byte \(offset)" }

    /// The class of a `JSONError`; a struct so that new kinds can be added without breaking clients.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Code: Sendable, Hashable {
            case syntax, depthLimit, typeMismatch, raggedArray, numberOutOfRange
        }

        private let code: Code

        private init(_ code: Code) { self.code = code }

        /// Not JSON by RFC 8259: bad token, bad escape, invalid UTF-8, trailing data, truncated document.
        public static let syntax = Kind(.syntax)
        /// Containers nested deeper than the reader's `maxDepth`.
        public static let depthLimit = Kind(.depthLimit)
        /// Well-formed, but a different kind of value than the caller asked for (a string where a number was
        /// read, an object where an array was begun).
        public static let typeMismatch = Kind(.typeMismatch)
        /// Nested number arrays that are not rectangular, or that mix numbers and arrays at one depth.
        public static let raggedArray = Kind(.raggedArray)
        /// A number that is valid JSON but not representable as asked (`readInt` on `1.5` or `1e30`).
        public static let numberOutOfRange = Kind(.numberOutOfRange)

        /// The kind's name: `syntax`, `depthLimit`, `typeMismatch`, `raggedArray` or `numberOutOfRange`.
        public var description: String {
            switch code {
            case .syntax: "syntax"
            case .depthLimit: "depthLimit"
            case .typeMismatch: "typeMismatch"
            case .raggedArray: "raggedArray"
            case .numberOutOfRange: "numberOutOfRange"
            }
        }
    }
}
