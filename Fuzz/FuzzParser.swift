// libFuzzer harness for MicroHTTP's request parser (compiled with the parser sources by run.sh).
//
// For each input it checks three properties and traps (a finding) when one fails:
// 1. no crash, overflow or out-of-bounds access (ASan, Swift runtime checks);
// 2. the events are identical whether the bytes arrive whole, split at an input-chosen point, or
//    in 7-byte pieces (the parser must not depend on read boundaries);
// 3. every Content-Length body delivers exactly Content-Length bytes, and no body exceeds maxBody.

let fuzzLimits = HTTPRequestParser.Limits(
    maxRequestLine: 200,
    maxHeaderBytes: 600,
    maxHeaderCount: 12,
    maxBody: 2000,
    maxChunkLine: 64,
    maxLeadingEmptyLines: 4
)

enum FuzzEvent: Equatable {
    case head(String, HTTPRequestHead.Framing)
    case body([UInt8])
    case end
    case error(HTTPParserError)
}

func summarize(_ h: HTTPRequestHead) -> String {
    var s =
        "\(h.method.rawValue) \(h.path) \(h.query ?? "-") \(h.version) \(h.keepAlive) \(h.expectContinue) \(h.contentCoding)"
    for field in h.headers { s += "|\(field.name)=\(field.value)" }
    return s
}

func runFuzzParser(_ chunks: [ArraySlice<UInt8>]) -> [FuzzEvent] {
    var parser = HTTPRequestParser(limits: fuzzLimits)
    var buffer = InputBuffer()
    var events: [FuzzEvent] = []
    var bodyCount = 0
    var framing = HTTPRequestHead.Framing.none
    for chunk in chunks {
        buffer.append(chunk)
        var steps = 0
        loop: while true {
            steps += 1
            precondition(steps < 100_000, "parser made no progress")
            do {
                switch try parser.next(&buffer) {
                case .needMoreData:
                    break loop
                case .head(let h):
                    framing = h.framing
                    bodyCount = 0
                    events.append(.head(summarize(h), h.framing))
                case .body(let r):
                    precondition(!r.isEmpty, "empty body event")
                    bodyCount += r.count
                    precondition(bodyCount <= fuzzLimits.maxBody, "body above maxBody")
                    let bytes = Array(buffer.storage[r])
                    if case .body(let previous)? = events.last {
                        events[events.count - 1] = .body(previous + bytes)
                    } else {
                        events.append(.body(bytes))
                    }
                case .end:
                    if case .length(let n) = framing {
                        precondition(bodyCount == n, "Content-Length body size mismatch")
                    }
                    if case .none = framing { precondition(bodyCount == 0, "body on a body-less request") }
                    events.append(.end)
                }
            } catch {
                events.append(.error(error))
                return events
            }
        }
    }
    return events
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = runFuzzParser([bytes[...]])
    if size > 0 {
        let cut = Int(bytes[size - 1]) % (size + 1)
        let split = runFuzzParser([bytes[..<cut], bytes[cut...]])
        precondition(split == whole, "split at \(cut) differs from whole")
    }
    var pieces: [ArraySlice<UInt8>] = []
    var i = 0
    while i < size {
        pieces.append(bytes[i..<min(size, i + 7)])
        i += 7
    }
    precondition(runFuzzParser(pieces) == whole, "7-byte pieces differ from whole")
    return 0
}
