import FastJSON
import OptimizerCore

/// Reads tensors (gradients or parameter values) for an existing session straight into a flat
/// buffer in layout order, validating names, element counts, shapes and finiteness.
struct TensorInput<S: WireScalar> {
    /// What the values are, for error details: "gradient" or "value".
    enum Role {
        case gradient
        case value

        var noun: String { self == .gradient ? "gradient" : "value" }
    }

    let layout: ParameterLayout
    let role: Role
    /// The flat values; parameters not given stay zero. Allocated by the first read, so a binary
    /// body is copied once and never zero-filled first.
    var values: [S] = []
    /// Which parameters were given.
    var present: [Bool]

    init(layout: ParameterLayout, role: Role) {
        self.layout = layout
        self.role = role
        self.present = [Bool](repeating: false, count: layout.count)
    }

    /// Reads `{"name": tensor, ...}` at the reader's position. Each tensor is nested arrays of the
    /// parameter's shape or a flat array of its element count (a bare number for a scalar).
    mutating func readObject(_ reader: inout JSONReader) throws(ServiceError) {
        if values.isEmpty { values = [S](repeating: 0, count: layout.totalCount) }
        do {
            guard try reader.peek() == .object else {
                throw ServiceError.invalidField(
                    "\"\(role == .gradient ? "gradients" : "parameters")\" must be an object of tensors by parameter name"
                )
            }
            try reader.beginObject()
            while let name = try reader.nextKey() {
                try readTensor(named: name, &reader)
            }
        } catch let error as ServiceError {
            throw error
        } catch let error as JSONError {
            throw ServiceError(error)
        } catch {
            throw .internalError()
        }
    }

    private mutating func readTensor(named name: String, _ reader: inout JSONReader) throws(ServiceError) {
        guard let index = layout.index(of: name) else {
            throw .unknownParameter(name, known: layout.entries.map(\.name))
        }
        guard !present[index] else { throw .invalidField("\(role.noun) \"\(name)\" is given twice") }
        let entry = layout.entries[index]
        var shape: [Int] = []
        let info: JSONNumberArrayInfo
        do {
            info = try S.read(&reader, into: &values, at: entry.offset, maxCount: entry.count, shape: &shape)
        } catch {
            throw ServiceError(error, context: "\(role.noun) \"\(name)\"")
        }
        guard info.count == entry.count else {
            throw .shapeMismatch(
                "\(role.noun) \"\(name)\" has \(info.count) elements; parameter \"\(name)\" has \(entry.count)")
        }
        guard shape == entry.shape || shape == [entry.count] else {
            throw .shapeMismatch(
                "\(role.noun) \"\(name)\" has shape \(describeShape(shape)); parameter \"\(name)\" has shape "
                    + "\(describeShape(entry.shape)) (a flat array of \(entry.count) also works)")
        }
        if let bad = info.firstNonFiniteIndex {
            let detail =
                "\(role.noun) \"\(name)\" has a non-finite value at flat index \(bad) "
                + "(a number too large for \(S.dtype.rawValue) counts as non-finite)"
            throw role == .gradient ? .nonFiniteGradient(detail) : .nonFiniteValue(detail)
        }
        present[index] = true
    }

    /// A binary body holds every tensor: `layout.totalCount` values of `S`, else 400 `shape_mismatch`.
    static func checkBinaryLength(_ count: Int, layout: ParameterLayout) throws(ServiceError) {
        let expected = layout.totalCount * MemoryLayout<S>.size
        guard count == expected else {
            throw .shapeMismatch(
                "binary body has \(count) bytes; the session's \(layout.totalCount) \(S.dtype.rawValue) "
                    + "parameters take \(layout.totalCount) × \(MemoryLayout<S>.size) = \(expected) bytes")
        }
    }

    /// Reads a binary body: every tensor, concatenated in layout order, little-endian.
    mutating func readBinary(_ bytes: [UInt8]) throws(ServiceError) {
        try Self.checkBinaryLength(bytes.count, layout: layout)
        values = decodeLittleEndian(bytes, count: layout.totalCount, as: S.self)
        present = [Bool](repeating: true, count: layout.count)
        if role == .value, let bad = values.firstIndex(where: { !$0.isFinite }) {
            let p = layout.entries.lastIndex { $0.offset <= bad } ?? 0
            throw .nonFiniteValue(
                "value \"\(layout.entries[p].name)\" has a non-finite value at flat index \(bad - layout.entries[p].offset)"
            )
        }
    }
}
