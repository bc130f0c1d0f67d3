// libFuzzer harness for FastJSON's reader (compiled with the FastJSON sources by run.sh).
//
// For each input it checks these properties and traps (a finding) when one fails:
// 1. no crash, overflow or out-of-bounds access (ASan, Swift runtime checks);
// 2. round trip: if `JSONValue(parsing:)` accepts the input, its `encoded()` text parses to the same value
//    (non-finite numbers, written as `null`, excepted), and encoding that again gives the same text;
// 3. `skipValue` accepts exactly when `readValue` accepts, stopping at the same offset, and fails with the
//    same error otherwise;
// 4. `readNumberArray` (Float and Double, appending and into a small buffer) accepts exactly when `readValue`
//    reads a rectangular nested array of numbers (or a number), with the same shape, values and end offset.

/// Small enough that inputs up to 4 KiB reach the depth limit.
let fuzzMaxDepth = 24

/// `a` and `b` are equal, except that a non-finite number in `a` may be `null` in `b` (how it is encoded).
func sameUpToNonFinite(_ a: JSONValue, _ b: JSONValue) -> Bool {
    var pending = [(a, b)]
    while let (x, y) = pending.popLast() {
        switch (x, y) {
        case (.number(let d), .null) where !d.isFinite: continue
        case (.array(let p), .array(let q)):
            guard p.count == q.count else { return false }
            pending.append(contentsOf: zip(p, q))
        case (.object(let p), .object(let q)):
            guard p.count == q.count else { return false }
            for (m, n) in zip(p, q) {
                guard m.key == n.key else { return false }
                pending.append((m.value, n.value))
            }
        case (.array, _), (.object, _): return false
        default: if x != y { return false }
        }
    }
    return true
}

/// The shape and row-major numbers of `value` if it is a number or a rectangular nested array of numbers as
/// `readNumberArray` defines it (the shape follows the first elements; an empty array ends it), else `nil`.
func tensor(_ value: JSONValue) -> (shape: [Int], numbers: [Double])? {
    var shape: [Int] = []
    var first = value
    while case .array(let elements) = first {
        shape.append(elements.count)
        guard let head = elements.first else { break }
        first = head
    }
    if case .array = first {} else if first.doubleValue == nil { return nil }
    var numbers: [Double] = []
    var pending: [(JSONValue, Int)] = [(value, 0)]
    while let (v, level) = pending.popLast() {
        if level == shape.count {
            guard let d = v.doubleValue else { return nil }
            numbers.append(d)
        } else {
            guard let elements = v.arrayValue, elements.count == shape[level] else { return nil }
            // Reversed, so that popping visits them in order.
            for e in elements.reversed() { pending.append((e, level + 1)) }
        }
    }
    return (shape, numbers)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    // 2. Round trip of whole documents.
    if let value = try? JSONValue(parsing: bytes, maxDepth: fuzzMaxDepth) {
        let text = value.encoded()
        guard let again = try? JSONValue(parsing: text, maxDepth: fuzzMaxDepth) else {
            preconditionFailure("encoded text does not parse: \(String(decoding: text, as: UTF8.self))")
        }
        precondition(sameUpToNonFinite(value, again), "round trip changed the value")
        precondition(again.encoded() == text, "encoding is not stable")
    }

    // 3. readValue and skipValue agree on the first value (whatever follows it).
    var valueReader = JSONReader(bytes, maxDepth: fuzzMaxDepth)
    let read: Result<JSONValue, JSONError> = Result { () throws(JSONError) in try valueReader.readValue() }
    var skipReader = JSONReader(bytes, maxDepth: fuzzMaxDepth)
    let skipped: Result<Void, JSONError> = Result { () throws(JSONError) in try skipReader.skipValue() }
    switch (read, skipped) {
    case (.success, .success):
        precondition(valueReader.offset == skipReader.offset, "readValue and skipValue end at different offsets")
    case (.failure(let a), .failure(let b)):
        precondition(a == b, "readValue and skipValue fail differently: \(a) vs \(b)")
    default:
        preconditionFailure("readValue and skipValue disagree: \(read) vs \(skipped)")
    }

    // 4. readNumberArray agrees with readValue.
    let expected = (try? read.get()).flatMap(tensor)
    var doubles: [Double] = [42]
    var shape: [Int] = [7]
    var doubleReader = JSONReader(bytes, maxDepth: fuzzMaxDepth)
    let doubleInfo = try? doubleReader.readNumberArray(into: &doubles, shape: &shape)
    var floats: [Float] = []
    var floatShape: [Int] = []
    var floatReader = JSONReader(bytes, maxDepth: fuzzMaxDepth)
    let floatInfo = try? floatReader.readNumberArray(into: &floats, shape: &floatShape)
    guard let expected else {
        precondition(doubleInfo == nil && floatInfo == nil, "readNumberArray accepts what is not a number tensor")
        precondition(doubles == [42] && floats.isEmpty, "readNumberArray changed its array on failure")
        return 0
    }
    guard let doubleInfo, let floatInfo else { preconditionFailure("readNumberArray rejects a number tensor") }
    let numbers = expected.numbers
    precondition(shape == expected.shape && floatShape == expected.shape, "readNumberArray shape differs")
    precondition(doubleReader.offset == valueReader.offset && floatReader.offset == valueReader.offset)
    precondition(doubles.count == numbers.count + 1 && doubleInfo.count == numbers.count)
    precondition(floats.count == numbers.count && floatInfo.count == numbers.count)
    for (k, d) in numbers.enumerated() {
        precondition(doubles[k + 1].bitPattern == d.bitPattern, "readNumberArray double differs")
        precondition(floats[k].bitPattern == Float(d).bitPattern, "readNumberArray float differs")
    }
    precondition(doubleInfo.firstNonFiniteIndex == numbers.firstIndex { !$0.isFinite })
    precondition(floatInfo.firstNonFiniteIndex == numbers.firstIndex { !Float($0).isFinite })

    // The buffer overload stores a prefix only, never past its end (ASan checks), and counts everything.
    let room = size > 0 ? Int(bytes[0] % 4) : 0
    var buffer = [Float](repeating: 0, count: room + 2)
    var bufferShape: [Int] = []
    var bufferReader = JSONReader(bytes, maxDepth: fuzzMaxDepth)
    guard let bufferInfo = try? bufferReader.readNumberArray(into: &buffer, at: 1, maxCount: room, shape: &bufferShape)
    else { preconditionFailure("buffer readNumberArray rejects a number tensor") }
    precondition(bufferInfo == floatInfo && bufferShape == expected.shape, "buffer readNumberArray differs")
    precondition(buffer[0] == 0 && buffer[room + 1] == 0, "buffer readNumberArray wrote outside its range")
    for k in 0..<min(room, numbers.count) {
        precondition(buffer[k + 1].bitPattern == Float(numbers[k]).bitPattern, "buffer value differs")
    }
    return 0
}
