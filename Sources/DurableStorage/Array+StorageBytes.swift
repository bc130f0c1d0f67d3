extension Array where Element == UInt8 {
    /// `withUnsafeBytes` for bodies that throw ``StorageError`` (the standard one is untyped `rethrows`).
    /// Do not escape the pointer from the closure.
    func withStorageBytes<R>(_ body: (UnsafeRawBufferPointer) throws(StorageError) -> R) throws(StorageError) -> R {
        var result: Result<R, StorageError> = .failure(StorageError.invalid("withUnsafeBytes did not run its body"))
        withUnsafeBytes { raw in result = Result { () throws(StorageError) -> R in try body(raw) } }
        return try result.get()
    }

    /// `withUnsafeMutableBytes` for bodies that throw ``StorageError``. Do not escape the pointer.
    mutating func withMutableStorageBytes<R>(
        _ body: (UnsafeMutableRawBufferPointer) throws(StorageError) -> R
    )
        throws(StorageError) -> R
    {
        var result: Result<R, StorageError> = .failure(
            StorageError.invalid("withUnsafeMutableBytes did not run its body"))
        withUnsafeMutableBytes { raw in result = Result { () throws(StorageError) -> R in try body(raw) } }
        return try result.get()
    }
}
