import FastJSON
import OptimizerCore

/// The on-disk forms of a session: a snapshot (everything, to start from) and one log record per
/// change after it. Both are a small JSON header followed by raw little-endian tensors, so large
/// sessions cost a memory copy, not number formatting:
///
///     snapshot: "OPTDSNP1" u32(header length) header-JSON  parameters  state tensors in header order
///     record:   "OPTDREC1" u32(header length) header-JSON  [tensor]
///
/// Records: `{"kind": "step", "at", "present", "key"?, "digest"?, "report"}` + flat gradients (zeros
/// where absent); `{"kind": "put", "at"}` + flat values; `{"kind": "patch", "at", "name"?, "optimizer"?}`.
/// The files' own framing (DurableStorage) checksums them; this layer only interprets.
enum SessionCodec {
    static let snapshotMagic = Array("OPTDSNP1".utf8)
    static let recordMagic = Array("OPTDREC1".utf8)

    // MARK: - Snapshot

    /// What a snapshot restores besides the engine.
    struct Metadata: Sendable {
        var id: SessionID
        var name: String?
        var createdAt: Timestamp
        var updatedAt: Timestamp
        var version: UInt64
        var idempotency: [(key: String, digest: BodyDigest, report: StepReport)]
    }

    static func encodeSnapshot<S: WireScalar>(_ checkpoint: EngineCheckpoint<S>, _ meta: Metadata) -> [UInt8] {
        var header = JSONWriter()
        header.beginObject()
        header.writeKey("id")
        header.writeString(meta.id.description)
        header.writeKey("name")
        if let name = meta.name { header.writeString(name) } else { header.writeNull() }
        header.writeKey("created_at")
        header.writeInt(meta.createdAt.secondsSinceEpoch)
        header.writeKey("updated_at")
        header.writeInt(meta.updatedAt.secondsSinceEpoch)
        header.writeKey("version")
        header.writeString(String(meta.version))
        header.writeKey("dtype")
        header.writeString(S.dtype.rawValue)
        header.writeKey("step")
        header.writeInt(checkpoint.stepCount)
        SessionWriter.writeTrainingMembers(checkpoint.spec, to: &header)
        if let lastLR = checkpoint.lastLR {
            // Bit patterns, as every other scalar here: exact, and NaN or infinity as well.
            header.writeKey("last_lr")
            header.beginArray()
            for lr in lastLR { header.writeString(String(lr.bitPattern, radix: 16)) }
            header.endArray()
        }
        header.writeKey("parameters")
        header.beginArray()
        for entry in checkpoint.layout.entries {
            header.beginObject()
            header.writeNameAndShape(of: entry)
            header.endObject()
        }
        header.endArray()
        var tensors: [[S]] = [checkpoint.parameters]
        header.writeKey("state")
        header.beginArray()
        for state in checkpoint.states {
            header.beginObject()
            header.writeKey("parameter")
            header.writeString(state.name)
            header.writeKey("entries")
            header.beginArray()
            for entry in state.entries {
                header.beginArray()
                header.writeString(entry.name)
                switch entry.value {
                case .count(let n):
                    header.writeString("count")
                    header.writeInt(n)
                case .scalar(let x):
                    header.writeString("scalar")
                    header.writeString(String(Double(x).bitPattern, radix: 16))
                case .tensor(let xs):
                    header.writeString("tensor")
                    header.writeInt(xs.count)
                    tensors.append(xs)
                }
                header.endArray()
            }
            header.endArray()
            header.endObject()
        }
        header.endArray()
        header.writeKey("idempotency")
        header.beginArray()
        for (key, digest, report) in meta.idempotency {
            header.beginArray()
            header.writeString(key)
            header.writeString(digest.hex)
            writeReport(report, to: &header)
            header.endArray()
        }
        header.endArray()
        header.endObject()
        let tensorBytes = tensors.reduce(0) { $0 + $1.count * MemoryLayout<S>.size }
        var out = [UInt8]()
        out.reserveCapacity(snapshotMagic.count + 4 + header.bytes.count + tensorBytes)
        out += snapshotMagic
        appendUInt32(UInt32(header.bytes.count), to: &out)
        out += header.bytes
        for tensor in tensors { tensor.withUnsafeBytes { out.append(contentsOf: $0) } }
        return out
    }

    /// A decoded snapshot: the engine checkpoint (in the dtype named by the header) and metadata.
    enum DecodedSnapshot {
        case float32(EngineCheckpoint<Float>, Metadata)
        case float64(EngineCheckpoint<Double>, Metadata)
    }

    static func decodeSnapshot(_ bytes: [UInt8]) throws(ServiceError) -> DecodedSnapshot {
        let (header, body) = try split(bytes, magic: snapshotMagic, what: "snapshot")
        guard let dtype = header["dtype"]?.stringValue.flatMap(DType.init(rawValue:)) else {
            throw corrupt("snapshot has no dtype")
        }
        switch dtype {
        case .float32:
            let (checkpoint, meta) = try decodeSnapshot(header, body, as: Float.self)
            return .float32(checkpoint, meta)
        case .float64:
            let (checkpoint, meta) = try decodeSnapshot(header, body, as: Double.self)
            return .float64(checkpoint, meta)
        }
    }

    private static func decodeSnapshot<S: WireScalar>(
        _ header: JSONValue, _ body: ArraySlice<UInt8>, as type: S.Type
    )
        throws(ServiceError) -> (EngineCheckpoint<S>, Metadata)
    {
        guard let idText = header["id"]?.stringValue, let id = SessionID(idText),
            let created = header["created_at"].flatMap(integer), let updated = header["updated_at"].flatMap(integer),
            let version = header["version"]?.stringValue.flatMap({ UInt64($0) }),
            let step = header["step"].flatMap(integer), step >= 0, let parameterList = header["parameters"]?.arrayValue,
            let stateList = header["state"]?.arrayValue, let idempotencyList = header["idempotency"]?.arrayValue
        else { throw corrupt("snapshot header is incomplete") }
        var training: [(key: String, value: ConfigValue)] = []
        for key in TrainingSpec.memberNames {
            if let value = header[key], !value.isNull { training.append((key, ConfigValue(value))) }
        }
        let spec: TrainingSpec
        let layout: ParameterLayout
        do {
            spec = try TrainingSpec(.object(training))
            layout = try ParameterLayout(
                parameterList.map { p in
                    (
                        name: p["name"]?.stringValue ?? "",
                        shape: (p["shape"]?.arrayValue ?? []).map { integer($0) ?? -1 }
                    )
                })
        } catch {
            throw corrupt("snapshot spec or layout: \(error)")
        }
        var reader = RawReader(bytes: body)
        let parameters: [S] = try reader.read(count: layout.totalCount)
        var states: [ParameterState<S>] = []
        for item in stateList {
            guard let parameter = item["parameter"]?.stringValue, let entries = item["entries"]?.arrayValue else {
                throw corrupt("snapshot state entry is malformed")
            }
            var converted: [StateEntry<S>] = []
            for entry in entries {
                guard let parts = entry.arrayValue, parts.count == 3, let name = parts[0].stringValue,
                    let kind = parts[1].stringValue
                else { throw corrupt("snapshot state of \"\(parameter)\" is malformed") }
                switch kind {
                case "count":
                    converted.append(StateEntry(name: name, value: .count(integer(parts[2]) ?? -1)))
                case "scalar":
                    guard let bits = parts[2].stringValue.flatMap({ UInt64($0, radix: 16) }) else {
                        throw corrupt("snapshot scalar \(name) is malformed")
                    }
                    converted.append(StateEntry(name: name, value: .scalar(S(Double(bitPattern: bits)))))
                case "tensor":
                    let values: [S] = try reader.read(count: integer(parts[2]) ?? -1)
                    converted.append(StateEntry(name: name, value: .tensor(values)))
                default:
                    throw corrupt("snapshot state kind \(kind) is unknown")
                }
            }
            states.append(ParameterState(name: parameter, entries: converted))
        }
        guard reader.isAtEnd else { throw corrupt("snapshot has \(reader.remaining) bytes after its tensors") }
        var idempotency: [(key: String, digest: BodyDigest, report: StepReport)] = []
        for item in idempotencyList {
            guard let parts = item.arrayValue, parts.count == 3, let key = parts[0].stringValue,
                let digest = parts[1].stringValue.flatMap(BodyDigest.init(hex:)), let report = readReport(parts[2])
            else { throw corrupt("snapshot idempotency entry is malformed") }
            idempotency.append((key, digest, report))
        }
        let name = header["name"]?.stringValue
        let meta = Metadata(
            id: id, name: name, createdAt: Timestamp(secondsSinceEpoch: created),
            updatedAt: Timestamp(secondsSinceEpoch: updated), version: version, idempotency: idempotency)
        var lastLR: [Double]?
        if let list = header["last_lr"]?.arrayValue {
            lastLR = try list.map { (item) throws(ServiceError) -> Double in
                guard let bits = item.stringValue.flatMap({ UInt64($0, radix: 16) }) else {
                    throw corrupt("snapshot last_lr is malformed")
                }
                return Double(bitPattern: bits)
            }
        }
        let checkpoint = EngineCheckpoint(
            spec: spec, layout: layout, stepCount: step, parameters: parameters, states: states, lastLR: lastLR)
        return (checkpoint, meta)
    }

    // MARK: - Records

    /// One change after the snapshot.
    enum Record {
        case step(
            at: Timestamp, present: [Bool], gradients: StepGradients, key: String?, digest: BodyDigest?,
            report: StepReport)
        case put(at: Timestamp, values: TensorValues)
        case patch(at: Timestamp, name: String??, optimizer: ConfigValue?)
    }

    static func encode(_ record: Record) -> [UInt8] {
        var header = JSONWriter()
        header.beginObject()
        var tensor: StepGradients?
        switch record {
        case .step(let at, let present, let gradients, let key, let digest, let report):
            header.writeKey("kind")
            header.writeString("step")
            header.writeKey("at")
            header.writeInt(at.secondsSinceEpoch)
            header.writeKey("present")
            header.writeString(String(present.map { $0 ? "1" : "0" }))
            if let key, let digest {
                header.writeKey("key")
                header.writeString(key)
                header.writeKey("digest")
                header.writeString(digest.hex)
            }
            header.writeKey("report")
            writeReport(report, to: &header)
            tensor = gradients
        case .put(let at, let values):
            header.writeKey("kind")
            header.writeString("put")
            header.writeKey("at")
            header.writeInt(at.secondsSinceEpoch)
            tensor = .values(values)
        case .patch(let at, let name, let optimizer):
            header.writeKey("kind")
            header.writeString("patch")
            header.writeKey("at")
            header.writeInt(at.secondsSinceEpoch)
            if let name {
                header.writeKey("name")
                if let name { header.writeString(name) } else { header.writeNull() }
            }
            if let optimizer {
                header.writeKey("optimizer")
                header.writeConfig(optimizer)
            }
        }
        header.endObject()
        var out = [UInt8]()
        out.reserveCapacity(recordMagic.count + 4 + header.bytes.count + (tensor?.byteCount ?? 0))
        out += recordMagic
        appendUInt32(UInt32(header.bytes.count), to: &out)
        out += header.bytes
        switch tensor {
        case .values(.float32(let v))?: v.withUnsafeBytes { out.append(contentsOf: $0) }
        case .values(.float64(let v))?: v.withUnsafeBytes { out.append(contentsOf: $0) }
        case .littleEndian(let bytes)?: out += bytes
        case nil: break
        }
        return out
    }

    static func decodeRecord(_ bytes: [UInt8], layout: ParameterLayout, dtype: DType) throws(ServiceError) -> Record {
        let (header, body) = try split(bytes, magic: recordMagic, what: "record")
        guard let kind = header["kind"]?.stringValue, let atSeconds = header["at"].flatMap(integer) else {
            throw corrupt("record header is incomplete")
        }
        let at = Timestamp(secondsSinceEpoch: atSeconds)
        var reader = RawReader(bytes: body)
        func tensor() throws(ServiceError) -> TensorValues {
            let values: TensorValues
            switch dtype {
            case .float32: values = .float32(try reader.read(count: layout.totalCount))
            case .float64: values = .float64(try reader.read(count: layout.totalCount))
            }
            guard reader.isAtEnd else { throw corrupt("record has \(reader.remaining) extra bytes") }
            return values
        }
        switch kind {
        case "step":
            guard let presentText = header["present"]?.stringValue, presentText.utf8.count == layout.count,
                let report = header["report"].flatMap(readReport)
            else { throw corrupt("step record header is malformed") }
            let present = presentText.utf8.map { $0 == UInt8(ascii: "1") }
            let key = header["key"]?.stringValue
            let digest = header["digest"]?.stringValue.flatMap(BodyDigest.init(hex:))
            return .step(
                at: at, present: present, gradients: .values(try tensor()), key: key, digest: digest, report: report)
        case "put":
            return .put(at: at, values: try tensor())
        case "patch":
            let name: String?? = header["name"].map { $0.stringValue }
            return .patch(at: at, name: name, optimizer: header["optimizer"].map(ConfigValue.init))
        default:
            throw corrupt("record kind \(kind) is unknown")
        }
    }

    // MARK: - Helpers

    private static func writeReport(_ report: StepReport, to writer: inout JSONWriter) {
        writer.beginArray()
        writer.writeInt(report.step)
        writer.writeString(String(report.lr.bitPattern, radix: 16))
        writer.writeString(String(report.gradNorm.bitPattern, radix: 16))
        writer.endArray()
    }

    private static func readReport(_ value: JSONValue) -> StepReport? {
        guard let parts = value.arrayValue, parts.count == 3, let step = integer(parts[0]),
            let lr = parts[1].stringValue.flatMap({ UInt64($0, radix: 16) }),
            let norm = parts[2].stringValue.flatMap({ UInt64($0, radix: 16) })
        else { return nil }
        return StepReport(step: step, lr: Double(bitPattern: lr), gradNorm: Double(bitPattern: norm))
    }

    /// The integer a header number holds, or nil for a fraction, a non-finite value or one beyond
    /// ±2^53 (a stored file is checksummed, but a parser still never traps on what it reads).
    private static func integer(_ value: JSONValue) -> Int? {
        guard let d = value.doubleValue, d == d.rounded(), abs(d) <= 9_007_199_254_740_992 else { return nil }
        return Int(d)
    }

    private static func appendUInt32(_ value: UInt32, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func split(
        _ bytes: [UInt8], magic: [UInt8], what: String
    ) throws(ServiceError)
        -> (JSONValue, ArraySlice<UInt8>)
    {
        guard bytes.count >= magic.count + 4, bytes.prefix(magic.count).elementsEqual(magic) else {
            throw corrupt("\(what) does not start with \(String(decoding: magic, as: UTF8.self))")
        }
        let length = bytes[magic.count..<(magic.count + 4)].reversed().reduce(0) { $0 << 8 | Int($1) }
        let start = magic.count + 4
        guard length <= bytes.count - start else { throw corrupt("\(what) header overruns the file") }
        let header: JSONValue
        do {
            header = try JSONValue(parsing: Array(bytes[start..<(start + length)]))
        } catch {
            throw corrupt("\(what) header: \(error)")
        }
        return (header, bytes[(start + length)...])
    }

    private static func corrupt(_ detail: String) -> ServiceError {
        .invalidCheckpoint("stored session: \(detail)")
    }
}

/// Reads consecutive little-endian tensors from a byte slice.
private struct RawReader {
    let bytes: ArraySlice<UInt8>
    var offset: Int

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.offset = bytes.startIndex
    }

    var isAtEnd: Bool { offset == bytes.endIndex }
    var remaining: Int { bytes.endIndex - offset }

    mutating func read<S: WireScalar>(count: Int) throws(ServiceError) -> [S] {
        let (size, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<S>.size)
        guard count >= 0, !overflow, size <= remaining else {
            throw .invalidCheckpoint("stored session: a tensor of \(count) elements overruns the file")
        }
        let slice = Array(bytes[offset..<(offset + size)])
        offset += size
        return decodeLittleEndian(slice, count: count, as: S.self)
    }
}
