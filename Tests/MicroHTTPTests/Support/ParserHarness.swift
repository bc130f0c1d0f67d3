import Testing

@testable import MicroHTTP

/// What a parser run produced, with body events merged, for equality checks across byte splits.
enum ParseOutcome: Equatable, CustomStringConvertible {
    case head(String)
    case body([UInt8])
    case end
    case error(HTTPParserError)

    var description: String {
        switch self {
        case .head(let s): "head(\(s))"
        case .body(let b): "body(\(String(decoding: b, as: UTF8.self)))"
        case .end: "end"
        case .error(let e): "error(\(e))"
        }
    }
}

/// A one-line summary of a head: method, path, query, version, framing, flags and headers.
func summary(_ h: HTTPRequestHead) -> String {
    let headers = h.headers.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
    return "\(h.method.rawValue) \(h.path) q=\(h.query ?? "nil") \(h.version) \(h.framing) ka=\(h.keepAlive) "
        + "100=\(h.expectContinue) ce=\(h.contentCoding) [\(headers)]"
}

/// Feeds `chunks` one after another into a fresh parser and collects the events.
func runParser(_ chunks: [ArraySlice<UInt8>], limits: HTTPRequestParser.Limits) -> [ParseOutcome] {
    var parser = HTTPRequestParser(limits: limits)
    var buffer = InputBuffer()
    var out: [ParseOutcome] = []
    func push(_ o: ParseOutcome) {
        if case .body(let b) = o, case .body(let a)? = out.last {
            out[out.count - 1] = .body(a + b)
        } else {
            out.append(o)
        }
    }
    for chunk in chunks {
        buffer.append(chunk)
        var guardCount = 0
        while guardCount < 100_000 {
            guardCount += 1
            do {
                switch try parser.next(&buffer) {
                case .needMoreData:
                    guardCount = Int.max
                case .head(let h):
                    push(.head(summary(h)))
                case .body(let r):
                    push(.body(Array(buffer.storage[r])))
                case .end:
                    push(.end)
                }
            } catch {
                push(.error(error))
                return out
            }
        }
    }
    return out
}

/// Parses `text` whole, then split at every byte boundary and byte by byte, expects all runs to
/// agree, and returns the outcome.
func parseEverySplit(
    _ text: String,
    limits: HTTPRequestParser.Limits = .init(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> [ParseOutcome] {
    parseEverySplit(Array(text.utf8), limits: limits, sourceLocation: sourceLocation)
}

/// Byte-array form of ``parseEverySplit(_:limits:sourceLocation:)``.
func parseEverySplit(
    _ bytes: [UInt8],
    limits: HTTPRequestParser.Limits = .init(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> [ParseOutcome] {
    let whole = runParser([bytes[...]], limits: limits)
    for i in 0...bytes.count {
        let split = runParser([bytes[..<i], bytes[i...]], limits: limits)
        if split != whole {
            Issue.record("split at \(i) gave \(split), whole gave \(whole)", sourceLocation: sourceLocation)
            break
        }
    }
    let single = runParser(bytes.map { [$0][...] }, limits: limits)
    #expect(single == whole, "byte-by-byte gave \(single)", sourceLocation: sourceLocation)
    return whole
}

/// The status of the first parser error in `outcomes`, or nil.
func errorStatus(_ outcomes: [ParseOutcome]) -> Int? {
    for case .error(let e) in outcomes { return e.status.code }
    return nil
}
