import Dispatch
import Logging
import Synchronization

/// One client connection: reads, parses, routes, calls handlers and writes responses in order.
///
/// `@unchecked Sendable`: every mutable property is only touched on `loop.queue` (handlers that run
/// elsewhere hop back with `queue.async` before touching the connection).
final class Connection: @unchecked Sendable {
    /// The request being read or answered.
    private struct Exchange {
        var head: HTTPRequestHead
        var route: Route?
        var parameters = PathParameters()
        /// 404/405 for a body-less request, answered at its end.
        var pendingResponse: HTTPResponse?
        var body: [UInt8] = []
        /// For `Content-Length` bodies the array's capacity is reserved once for the declared length
        /// (virtual memory: untouched pages cost no RSS), and its count is extended with zeros just
        /// ahead of the data, which recv then writes in place. No reallocation or copy happens,
        /// and a client that declares a large body but sends nothing costs almost nothing.
        var bodyFilled = 0
        var fixedBody = false
        var declaredLength = 0

        /// Makes at least `minimum` (capped by the declared length) bytes available after `bodyFilled`.
        mutating func reserveBody(_ minimum: Int) {
            let wanted = min(declaredLength, bodyFilled + minimum)
            guard wanted > body.count else { return }
            let grown = min(declaredLength, max(wanted, body.count + Connection.zeros.count))
            while body.count < grown {
                body.append(contentsOf: Connection.zeros[0..<min(grown - body.count, Connection.zeros.count)])
            }
        }
        /// `Content-Encoding: gzip`: the body holds the compressed bytes until the request's end.
        var gzip = false
        /// The body memory gate's leases for `body`'s capacity (empty for small bodies or without a
        /// gate); they move into the request with the body.
        var leases: [any BodyMemoryLease] = []
        var start: UInt64
        var bytesIn: Int
    }

    /// Bytes queued for the socket: a head and an optional in-place body.
    private struct Outgoing {
        var head: [UInt8]
        var body: HTTPBody
        var headSent = 0
        var bodySent = 0
        var bodyCount: Int
        /// After this item, pull the next piece from this stream.
        var stream: StreamState?
    }

    /// A streamed body being sent.
    private struct StreamState {
        var source: any HTTPBodyStream
        var chunked: Bool
        /// Declared length (non-chunked), checked against what the stream produces.
        var declared: Int?
        var produced = 0
        var sentAnyChunk = false
    }

    /// What to do once the queued response is fully written.
    private struct Completion {
        var keepAlive: Bool
        var record: RequestRecord
    }

    /// Zeros appended ahead of `Content-Length` body data (a bulk copy, fast in debug builds too).
    private static let zeros = [UInt8](repeating: 0, count: 256 * 1024)
    /// How far ahead of the received data a large body is zero-filled for `recv` to write into:
    /// 1 MiB, so the zeros are still in cache when `recv` overwrites them (filling ahead by the
    /// body's size made every 40 MB body cost two trips through memory).
    private static let bodyWindow = 1 << 20
    /// gzip request bodies of at most this many bytes (256) are tried on the I/O queue, with their
    /// output capped at `inlineInflateOutput`; larger ones go to the worker queue.
    static let inlineInflateLimit = 256
    /// The most output (16 KiB) inflated on the I/O queue. Deflate expands up to about 1032:1 (256 bytes
    /// could become about 264 KB, a millisecond or more of byte-by-byte copying), so a small body whose
    /// output passes this is inflated again, from the start, on the worker queue. The I/O queue's work
    /// per body is thus bounded by 256 bytes in and 16 KiB out: tens of microseconds at most.
    static let inlineInflateOutput = 16 * 1024
    /// Response bodies of at most this many bytes (64 KiB) are gzipped on the I/O queue; larger ones on
    /// the worker queue.
    static let inlineCompressionLimit = 64 * 1024

    let socket: Socket
    let remoteAddress: String
    private let loop: IOLoop
    private let core: ServerCore
    private var parser: HTTPRequestParser
    private var input = InputBuffer()
    private var machine: ConnectionStateMachine
    private var readSource: (any DispatchSourceRead)?
    private var readSuspended = false
    private var writeSource: (any DispatchSourceWrite)?
    private var openSources = 0
    private var isClosed = false
    private var exchange: Exchange?
    private var outgoing: [Outgoing] = []
    private var completion: Completion?
    private var requestsServed = 0
    private var closeRequested = false
    private var peerFinishedSending = false
    private var processing = false
    /// A request head arrived and its response is not written yet (counted in `loop.requestsInProgress`).
    private var requestInProgress = false
    /// The last recv returned less than it was offered.
    private var lastReadWasShort = false
    /// A response is being gzipped on the worker queue; `respond` ignores other responses meanwhile.
    private var compressing = false

    init(socket: Socket, remoteAddress: String, loop: IOLoop, core: ServerCore) {
        self.socket = socket
        self.remoteAddress = remoteAddress
        self.loop = loop
        self.core = core
        self.parser = HTTPRequestParser(limits: core.limits)
        self.machine = ConnectionStateMachine(timeouts: core.timeouts, now: Socket.monotonicNanoseconds())
    }

    private var queue: DispatchQueue { loop.queue }
    private var configuration: HTTPServer.Configuration { core.configuration }

    /// Starts reading. Call on `loop.queue`.
    func start() {
        loop.register(self)
        let source = DispatchSource.makeReadSource(fileDescriptor: socket.descriptor, queue: queue)
        source.setEventHandler { [unowned self] in self.handleReadable() }
        source.setCancelHandler { [self] in self.sourceCancelled() }
        openSources += 1
        readSource = source
        source.resume()
        if core.isShuttingDown {
            shutdownRequested()
            return
        }
        // Clients usually send the request right after connecting: read it now instead of waiting
        // for the source's registration and first event (saves a round trip through the
        // dispatch manager thread; EAGAIN costs one recv).
        handleReadable()
    }

    // MARK: - Reading

    private func handleReadable() {
        guard !isClosed else { return }
        if case .lingering = machine.phase {
            drainForLinger()
            return
        }
        for _ in 0..<4 {
            if isClosed { return }
            if case .lingering = machine.phase {
                // The request just answered started a lingering close: keep draining.
                drainForLinger()
                return
            }
            guard machine.isReading else {
                suspendReading()
                return
            }
            let result: Socket.ReceiveResult
            do {
                result = try receive()
            } catch {
                core.logger.debug("recv failed", metadata: ["peer": "\(remoteAddress)", "error": "\(error)"])
                close()
                return
            }
            switch result {
            case .bytes:
                machine.bytesReceived(at: Socket.monotonicNanoseconds())
                processInput()
                // A short read means the socket is (almost surely) empty: skip the recv that would
                // only return EAGAIN; the source fires again if more arrived meanwhile.
                if lastReadWasShort { return }
            case .wouldBlock:
                return
            case .endOfFile:
                peerFinishedSending = true
                // A complete request may still be buffered (e.g. a client that half-closes after
                // sending); answer it, then close.
                processInput()
                if isClosed { return }
                if case .lingering = machine.phase {
                    close()  // the peer already finished sending: nothing left to drain
                    return
                }
                if machine.isReading && outgoing.isEmpty {
                    close()
                    return
                }
                suspendReading()  // answer what is pending first; the close follows the response
                return
            }
        }
    }

    /// One `recv`, straight into the body for large `Content-Length` bodies, else into the buffer.
    private func receive() throws(SocketError) -> Socket.ReceiveResult {
        if input.readableCount == 0, let remaining = parser.remainingContentLength, remaining >= 4096,
            exchange?.fixedBody == true, var ex = exchange
        {
            exchange = nil  // keep `ex.body` uniquely referenced while recv writes into it
            defer { exchange = ex }
            ex.reserveBody(min(remaining, Connection.bodyWindow))
            let start = ex.bodyFilled
            let end = min(ex.body.count, start + remaining)
            let outcome = ex.body.withUnsafeMutableBytes { raw in
                Result { () throws(SocketError) in
                    try socket.receive(into: UnsafeMutableRawBufferPointer(rebasing: raw[start..<end]))
                }
            }
            let result = try outcome.get()
            if case .bytes(let n) = result {
                lastReadWasShort = n < end - start
                ex.bodyFilled += n
                ex.bytesIn += n
                parser.didReceiveBodyDirectly(n)
            }
            return result
        }
        if input.capacity == 0 {
            // No buffer yet (new or idle connection): read into the queue's shared scratch buffer and
            // keep only what arrived, so idle connections hold no receive buffer.
            let outcome = loop.scratch.withUnsafeMutableBytes { raw in
                Result { () throws(SocketError) in try socket.receive(into: raw) }
            }
            let result = try outcome.get()
            if case .bytes(let n) = result {
                lastReadWasShort = n < loop.scratch.count
                input.append(loop.scratch[0..<n])
            }
            return result
        }
        var result = Socket.ReceiveResult.wouldBlock
        var failure: SocketError?
        var offered = 0
        _ = input.writeWithUnsafeMutableBytes(minimum: max(configuration.readBufferSize, 4096)) { free in
            let space = UnsafeMutableRawBufferPointer(rebasing: free.prefix(max(configuration.readBufferSize, 4096)))
            offered = space.count
            let outcome = Result { () throws(SocketError) in try socket.receive(into: space) }
            switch outcome {
            case .success(let r): result = r
            case .failure(let e):
                failure = e
                return 0
            }
            if case .bytes(let n) = result { return n }
            return 0
        }
        if let failure { throw failure }
        if case .bytes(let n) = result { lastReadWasShort = n < offered }
        return result
    }

    /// Parses and answers buffered requests until more bytes are needed or a response is pending.
    private func processInput() {
        guard !processing else { return }
        processing = true
        defer { processing = false }
        while !isClosed && machine.isReading {
            let event: HTTPRequestParser.Event
            do {
                event = try parser.next(&input)
            } catch {
                protocolError(error)
                return
            }
            switch event {
            case .needMoreData:
                return
            case .head(let head):
                onHead(head)
            case .body(let range):
                onBody(range)
            case .end:
                onEnd()
            }
        }
    }

    private func onHead(_ head: HTTPRequestHead) {
        let now = Socket.monotonicNanoseconds()
        let start: UInt64
        if case .readingHead(let since) = machine.phase { start = since } else { start = now }
        machine.headReceived(at: now)
        if !requestInProgress {
            requestInProgress = true
            loop.requestsInProgress += 1
        }
        var ex = Exchange(head: head, start: start, bytesIn: head.headByteCount)
        switch core.router.match(head.method, path: head.path) {
        case .found(let route, let parameters):
            ex.route = route
            ex.parameters = parameters
        case .notFound:
            ex.pendingResponse = Router.notFoundResponse(head.path)
        case .methodNotAllowed(let allow):
            ex.pendingResponse = Router.methodNotAllowedResponse(head.method, allow: allow)
        }
        if let pending = ex.pendingResponse, head.hasBody {
            // Answer before reading the body (and without 100 Continue), then close.
            exchange = ex
            respond(pending, forceClose: true)
            return
        }
        if case .length(let n) = head.framing {
            // Counted against the application's budget before anything is reserved or read.
            if n > BodyMemory.ungatedBytes, let gate = configuration.bodyMemoryGate {
                guard let lease = gate.reserve(bytes: n) else {
                    exchange = ex
                    respond(gate.refusal(bytes: n), forceClose: true)
                    return
                }
                ex.leases = [lease]
            }
            ex.fixedBody = true
            ex.declaredLength = n
            ex.body.reserveCapacity(n)
            ex.reserveBody(min(n, 64 * 1024))
        }
        ex.gzip = head.contentCoding == .gzip
        exchange = ex
        // RFC 9110 §10.1.1: 100 Continue once limits and routing passed, if the body is not here yet.
        if head.expectContinue && input.readableCount == 0 {
            enqueue(Outgoing(head: ResponseEncoder.continueHead, body: .empty, bodyCount: 0))
            flush()
        }
    }

    private func onBody(_ range: Range<Int>) {
        guard var ex = exchange else { return }
        exchange = nil
        ex.bytesIn += range.count
        if ex.fixedBody {
            ex.reserveBody(range.count)
            let start = ex.bodyFilled
            ex.body.replaceSubrange(start..<(start + range.count), with: input.storage[range])
            ex.bodyFilled += range.count
        } else {
            if ex.body.count + range.count > ex.body.capacity,
                let refused = BodyMemory.makeRoom(
                    in: &ex.body,
                    leases: &ex.leases,
                    for: range.count,
                    limit: configuration.maxBody,
                    gate: configuration.bodyMemoryGate
                )
            {
                exchange = ex
                bodyRefused(bytes: refused)
                return
            }
            ex.body.append(contentsOf: input.storage[range])
        }
        exchange = ex
    }

    /// Answers with the body memory gate's refusal and closes (the rest of the body is not read).
    private func bodyRefused(bytes: Int) {
        guard let gate = configuration.bodyMemoryGate else {
            close()
            return
        }
        respond(gate.refusal(bytes: bytes), forceClose: true)
    }

    private func gzipFailed(_ failure: GzipInflater.Failure) {
        switch failure {
        case .tooLarge:
            respond(
                HTTPProblem.bodyTooLarge.response(
                    detail: "the decompressed body is larger than \(configuration.maxDecompressedBody) bytes"),
                forceClose: true
            )
        case .corrupt:
            respond(
                HTTPProblem.badRequest.response(detail: "the body is not a single valid gzip member"),
                forceClose: true
            )
        case .refused(let bytes):
            bodyRefused(bytes: bytes)
        }
    }

    private func onEnd() {
        guard var ex = exchange else { return }
        if let pending = ex.pendingResponse {
            respond(pending, forceClose: false)
            return
        }
        guard ex.route != nil else { return }
        guard ex.gzip else {
            dispatchHandler()
            return
        }
        // gzip (docs/http.md §7.3): inflate with an absolute cap, the output counted against the body
        // memory gate; trivially small bodies inline, the others on the worker queue so that the CPU
        // work does not hold up this I/O queue.
        let cap = configuration.maxDecompressedBody
        let gate = configuration.bodyMemoryGate
        if ex.body.count <= Connection.inlineInflateLimit {
            let inlineCap = min(cap, Connection.inlineInflateOutput)
            let result = GzipInflater.inflateAll(ex.body, maxOutput: inlineCap, gate: gate)
            var passedInlineCap = false
            if case .failure(.tooLarge) = result, inlineCap < cap { passedInlineCap = true }
            // Otherwise (more output than the inline cap, and allowed): start over on the worker queue.
            if !passedInlineCap {
                ex.body = []
                ex.leases = []
                ex.gzip = false
                exchange = ex
                inflated(result)
                return
            }
        }
        let pending = PendingInflation(compressed: ex.body, leases: ex.leases)
        ex.body = []
        ex.leases = []
        ex.gzip = false
        exchange = ex
        machine.requestReceived()
        suspendReading()
        core.workerQueue.async { [self] in
            let result = pending.inflate(maxOutput: cap, gate: gate)
            queue.async { self.inflated(result) }
        }
    }

    /// Continues a gzip request once its body is inflated (or answers 413/400/the gate's refusal).
    private func inflated(_ result: Result<GzipInflater.Inflated, GzipInflater.Failure>) {
        guard !isClosed, var ex = exchange else { return }
        switch result {
        case .success(let body):
            ex.body = body.bytes
            ex.leases = body.leases
            exchange = ex
            dispatchHandler()
        case .failure(let failure):
            gzipFailed(failure)
        }
    }

    /// Builds the request from the current exchange and runs its route's handler.
    private func dispatchHandler() {
        guard var ex = exchange, let route = ex.route else { return }
        let body = ex.body
        ex.body = []
        let leases = ex.leases
        if !leases.isEmpty { ex.leases = [] }
        exchange = ex
        var built = HTTPRequest(
            method: ex.head.method,
            path: ex.head.path,
            query: ex.head.query,
            version: ex.head.version,
            headers: ex.head.headers,
            body: body,
            pathParameters: ex.parameters,
            routePattern: route.pattern,
            remoteAddress: remoteAddress
        )
        // The leases live as long as the request value that carries the body.
        if !leases.isEmpty { built.bodyLeases = leases }
        let request = built
        machine.requestReceived()
        switch route.handler {
        case .respond(let handler, .inline):
            respond(Router.run(handler, request), forceClose: false)
        case .respond(let handler, .worker):
            suspendReading()
            core.workerQueue.async { [self] in
                var response = Router.run(handler, request)
                // Compressed here, off the I/O queue, whatever its size (`configuration` is immutable).
                if Connection.wantsCompression(&response, requestHeaders: request.headers, configuration) {
                    Connection.compress(&response, level: configuration.gzipLevel)
                }
                queue.async { [response] in self.respond(response, forceClose: false, compressionDone: true) }
            }
        case .deferred(let handler):
            // A response given before the handler returns is written at once; later ones hop back
            // to this queue. Reading is suspended only while a response is really outstanding:
            // each suspend/resume of the read source costs a round trip through the dispatch
            // manager thread (two `epoll_ctl`s and thread wake-ups).
            let handoff = ResponseHandoff()
            let responder = HTTPResponder { [self] response in
                guard !handoff.hold(response) else { return }
                queue.async { self.respond(response, forceClose: false) }
            }
            handler(request, responder)
            if let response = handoff.finishHandling() {
                respond(response, forceClose: false)
            } else {
                suspendReading()
            }
        }
    }

    private func protocolError(_ error: HTTPParserError) {
        var response = error.problem.response(detail: error.detail)
        if error == .unsupportedContentEncoding { response.headers.add(name: "Accept-Encoding", value: "gzip") }
        core.logger.debug("rejected request", metadata: ["peer": "\(remoteAddress)", "status": "\(error.status.code)"])
        respond(response, forceClose: true)
    }

    // MARK: - Writing

    /// Queues the final response for the current request (or a protocol error) and writes it, after
    /// gzipping it if useful (`compressionDone`: that was decided already): bodies up to
    /// `inlineCompressionLimit` here, larger ones on the worker queue, with reading suspended meanwhile.
    private func respond(_ response: HTTPResponse, forceClose: Bool, compressionDone: Bool = false) {
        guard !isClosed, completion == nil, !compressing else { return }
        var response = response
        if !compressionDone, let requestHeaders = exchange?.head.headers,
            Connection.wantsCompression(&response, requestHeaders: requestHeaders, configuration)
        {
            if response.body.count > Connection.inlineCompressionLimit {
                compressing = true
                suspendReading()
                let level = configuration.gzipLevel
                core.workerQueue.async { [self, response] in
                    var compressed = response
                    Connection.compress(&compressed, level: level)
                    queue.async { [compressed] in
                        self.compressing = false
                        self.respond(compressed, forceClose: forceClose, compressionDone: true)
                    }
                }
                return
            }
            Connection.compress(&response, level: configuration.gzipLevel)
        }
        let ex = exchange
        exchange = nil
        let head = ex?.head
        // A request whose body was not fully read (answered early) cannot be followed on this
        // connection, so only a response after the request's end may keep it open.
        var keepAlive =
            !forceClose && (head?.keepAlive ?? false) && !closeRequested && !core.isShuttingDown
            && !peerFinishedSending && requestsServed + 1 < configuration.maxRequestsPerConnection
            && parser.isReadingHead
        let status = response.status
        let bodyCount = status.forbidsBody ? 0 : response.body.count
        let sendBody = !status.forbidsBody && head?.method != .head
        var stream: StreamState?
        var streamChunked = false
        var contentLength: Int? = status.forbidsContentLength || status.code == 304 ? nil : bodyCount
        if case .stream(let source) = response.body, !status.forbidsBody {
            let length = source.length
            let chunked = length == nil && head?.version.minor != 0
            // HTTP/1.0 without a length: the body ends when the connection closes.
            if length == nil && !chunked { keepAlive = false }
            if length == nil { contentLength = nil }
            if sendBody { stream = StreamState(source: source, chunked: chunked, declared: length) }
            if chunked && !sendBody { contentLength = nil }
            streamChunked = chunked
        }
        let connectionHeader: ResponseEncoder.ConnectionHeader =
            !keepAlive ? .close : (head?.version.minor == 0 ? .keepAlive : .none)
        let headBytes = ResponseEncoder.head(
            status: status,
            headers: response.headers,
            contentLength: contentLength,
            connection: connectionHeader,
            dateLine: core.dateCache.headerLine(),
            chunked: streamChunked
        )
        var outgoingBody: HTTPBody = sendBody && bodyCount > 0 ? response.body : .empty
        if case .stream = outgoingBody { outgoingBody = .empty }
        let wireBytes = headBytes.count + outgoingBody.count
        completion = Completion(
            keepAlive: keepAlive,
            record: RequestRecord(
                method: head?.method,
                path: head?.path,
                routePattern: ex?.route?.pattern,
                status: status,
                duration: .zero,
                bytesIn: ex?.bytesIn ?? 0,
                bytesOut: wireBytes,
                remoteAddress: remoteAddress
            )
        )
        if let ex {
            completion?.record.duration = .nanoseconds(Int64(bitPattern: Socket.monotonicNanoseconds() &- ex.start))
        }
        enqueue(Outgoing(head: headBytes, body: outgoingBody, bodyCount: outgoingBody.count, stream: stream))
        machine.wrote(at: Socket.monotonicNanoseconds())
        flush()
    }

    /// True when `response` should be gzipped for a client that sent `requestHeaders`: compression is
    /// on, the body is large enough, of a compressible type, not encoded yet, and gzip is accepted.
    /// Adds `Vary: Accept-Encoding` to every response whose compression depends on that header.
    /// Cheap (header checks only); safe on any queue.
    static func wantsCompression(
        _ response: inout HTTPResponse,
        requestHeaders: HTTPHeaders,
        _ configuration: HTTPServer.Configuration
    ) -> Bool {
        if response.status.forbidsBody { return false }
        if case .stream = response.body { return false }
        guard configuration.responseCompression, response.body.count >= configuration.gzipMinimumSize,
            !response.headers.contains("content-encoding")
        else { return false }
        let type = (response.headers["content-type"] ?? "").lowercased()
        if configuration.uncompressedContentTypes.contains(where: { type.hasPrefix($0) }) { return false }
        if !response.headers.containsToken("accept-encoding", in: "vary") {
            response.headers.add(name: "Vary", value: "Accept-Encoding")
        }
        return AcceptEncoding.acceptsGzip(requestHeaders)
    }

    /// Replaces the body by its gzip member at zlib `level` when that is smaller. Proportional to the
    /// body's size.
    static func compress(_ response: inout HTTPResponse, level: Int) {
        guard let compressed = response.body.withUnsafeBytes({ GzipDeflater.compress($0, level: level) }),
            compressed.count < response.body.count
        else { return }
        response.body = .bytes(compressed)
        response.headers.add(name: "Content-Encoding", value: "gzip")
    }

    private func enqueue(_ item: Outgoing) {
        outgoing.append(item)
    }

    /// Writes as much as the socket takes; waits for writability on a partial write.
    private func flush() {
        while !isClosed, !outgoing.isEmpty {
            var item = outgoing[0]
            let written: Int?
            let outcome = item.head.withUnsafeBytes { headRaw in
                item.body.withUnsafeBytes { bodyRaw in
                    Result { () throws(SocketError) in
                        try socket.send(
                            UnsafeRawBufferPointer(rebasing: headRaw[item.headSent...]),
                            UnsafeRawBufferPointer(rebasing: bodyRaw[item.bodySent..<item.bodyCount])
                        )
                    }
                }
            }
            switch outcome {
            case .success(let n):
                written = n
            case .failure(let error):
                core.logger.debug("send failed", metadata: ["peer": "\(remoteAddress)", "error": "\(error)"])
                emitRecord()
                close()
                return
            }
            guard let n = written else {
                outgoing[0] = item
                armWriteSource()
                return
            }
            let headLeft = item.head.count - item.headSent
            if n >= headLeft {
                item.headSent = item.head.count
                item.bodySent += n - headLeft
            } else {
                item.headSent += n
            }
            if n > 0, case .writing = machine.phase { machine.wrote(at: Socket.monotonicNanoseconds()) }
            if item.headSent == item.head.count && item.bodySent == item.bodyCount {
                outgoing.removeFirst()
                if let state = item.stream, !pullStream(state) { return }
            } else {
                outgoing[0] = item
            }
        }
        guard !isClosed else { return }
        disarmWriteSource()
        if let done = completion {
            completion = nil
            responseWritten(done)
        }
    }

    /// Queues the next piece of a streamed body (or its end) at the front; false when the stream
    /// broke its declared length and the connection was closed.
    private func pullStream(_ state: StreamState) -> Bool {
        var state = state
        var piece: [UInt8]?
        repeat { piece = state.source.next() } while piece?.isEmpty == true
        if let piece {
            state.produced += piece.count
            if let declared = state.declared, state.produced > declared {
                core.logger.error("streamed body longer than its declared length; closing")
                emitRecord()
                close()
                return false
            }
            var head: [UInt8] = []
            if state.chunked {
                if state.sentAnyChunk { head += [13, 10] }
                head += Array(String(piece.count, radix: 16).utf8) + [13, 10]
                state.sentAnyChunk = true
            }
            outgoing.insert(Outgoing(head: head, body: .bytes(piece), bodyCount: piece.count, stream: state), at: 0)
            return true
        }
        if let declared = state.declared, state.produced != declared {
            core.logger.error("streamed body shorter than its declared length; closing")
            emitRecord()
            close()
            return false
        }
        if state.chunked {
            outgoing.insert(
                Outgoing(
                    head: (state.sentAnyChunk ? [13, 10] : []) + Array("0\r\n\r\n".utf8),
                    body: .empty,
                    bodyCount: 0
                ),
                at: 0
            )
        }
        return true
    }

    private func armWriteSource() {
        guard writeSource == nil else { return }
        let source = DispatchSource.makeWriteSource(fileDescriptor: socket.descriptor, queue: queue)
        source.setEventHandler { [unowned self] in self.flush() }
        source.setCancelHandler { [self] in self.sourceCancelled() }
        openSources += 1
        writeSource = source
        source.resume()
    }

    private func disarmWriteSource() {
        if let source = writeSource {
            writeSource = nil
            source.cancel()
        }
    }

    private func emitRecord() {
        if let done = completion {
            completion = nil
            configuration.requestObserver?(done.record)
        }
    }

    private func responseWritten(_ done: Completion) {
        requestsServed += 1
        endRequest()
        configuration.requestObserver?(done.record)
        let now = Socket.monotonicNanoseconds()
        guard done.keepAlive else {
            lingeringClose()
            return
        }
        machine.responseFinished(at: now)
        if input.readableCount > 0 { machine.bytesReceived(at: now) }
        if closeRequested && input.readableCount == 0 {
            close()
            return
        }
        resumeReading()
        processInput()
        if configuration.busyPoll > .zero, loop.requestsInProgress == 0, case .idle = machine.phase,
            input.readableCount == 0
        {
            let deadline = now &+ UInt64(configuration.busyPoll.nanoseconds)
            queue.async { self.busyPoll(until: deadline, served: self.requestsServed) }
        }
    }

    /// Checks for the next request until `deadline` (`HTTPServer.Configuration.busyPoll`), one
    /// non-blocking peek per turn of the queue, so the queue's other connections are served between
    /// checks. Stops once the read source answered a request first (`served` changed), or once
    /// another connection of the loop has a request in progress: the queue is then busy anyway, so
    /// the read source's event comes without a wake-up.
    private func busyPoll(until deadline: UInt64, served: Int) {
        guard !isClosed, requestsServed == served, loop.requestsInProgress == 0, case .idle = machine.phase,
            input.readableCount == 0
        else { return }
        if socket.isReadable() {
            handleReadable()
        } else if Socket.monotonicNanoseconds() < deadline {
            queue.async { self.busyPoll(until: deadline, served: served) }
        }
    }

    // MARK: - Closing

    /// Half-closes and drains for up to `lingerTimeout`, so the last response is not destroyed by
    /// an RST (RFC 9112 §9.6, docs/http.md §1 F7).
    private func lingeringClose() {
        guard !isClosed else { return }
        machine.startLingering(at: Socket.monotonicNanoseconds())
        socket.shutdownWrite()
        input = InputBuffer()
        exchange = nil
        resumeReading()
        drainForLinger()
    }

    private func drainForLinger() {
        for _ in 0..<16 {
            var result = Socket.ReceiveResult.wouldBlock
            var failed = false
            let outcome = loop.scratch.withUnsafeMutableBytes { raw in
                Result { () throws(SocketError) in try socket.receive(into: raw) }  // discarded
            }
            switch outcome {
            case .success(let r): result = r
            case .failure: failed = true
            }
            if failed || result == .endOfFile {
                close()
                return
            }
            if result == .wouldBlock { return }
        }
    }

    /// Called on `loop.queue` by the sweep.
    func checkTimeout(now: UInt64) {
        guard !isClosed else { return }
        switch machine.timeoutAction(at: now) {
        case .none:
            if case .idle = machine.phase, input.readableCount == 0 { input.shrinkIfIdle(keep: 0) }
        case .close:
            close()
        case .requestTimeout:
            guard outgoing.isEmpty, completion == nil else {
                close()
                return
            }
            respond(
                HTTPProblem.requestTimeout.response(detail: "the request was not received in time"),
                forceClose: true
            )
        }
    }

    /// The server is shutting down: close if idle, else close after the current response.
    func shutdownRequested() {
        guard !isClosed else { return }
        closeRequested = true
        if case .idle = machine.phase, input.readableCount == 0, outgoing.isEmpty, completion == nil {
            close()
        }
    }

    /// Closes now (grace period over, timeouts, I/O errors).
    func close() {
        guard !isClosed else { return }
        isClosed = true
        machine.close()
        endRequest()
        outgoing.removeAll()
        exchange = nil
        input = InputBuffer()
        loop.unregister(self)
        if let source = writeSource {
            writeSource = nil
            source.cancel()
        }
        if let source = readSource {
            readSource = nil
            if readSuspended {
                readSuspended = false
                source.resume()
            }
            source.cancel()
        }
        if openSources == 0 { finishClose() }
    }

    private func sourceCancelled() {
        openSources -= 1
        if openSources == 0 && isClosed { finishClose() }
    }

    private var descriptorClosed = false

    private func finishClose() {
        guard !descriptorClosed else { return }
        descriptorClosed = true
        socket.close()
        core.connectionClosed()
    }

    /// The request whose head arrived is answered (or the connection closed).
    private func endRequest() {
        guard requestInProgress else { return }
        requestInProgress = false
        loop.requestsInProgress -= 1
    }

    private func suspendReading() {
        guard !readSuspended, let source = readSource else { return }
        readSuspended = true
        source.suspend()
    }

    private func resumeReading() {
        guard readSuspended, let source = readSource else { return }
        readSuspended = false
        source.resume()
    }
}

/// A compressed request body handed to the worker queue for inflation. `@unchecked Sendable`: it is
/// created on the connection's queue and then used only by the one worker job.
private final class PendingInflation: @unchecked Sendable {
    private var compressed: [UInt8]
    private var leases: [any BodyMemoryLease]

    init(compressed: [UInt8], leases: [any BodyMemoryLease]) {
        self.compressed = compressed
        self.leases = leases
    }

    /// Inflates the body, then frees the compressed bytes and gives their leases back at once.
    func inflate(maxOutput: Int, gate: (any BodyMemoryGate)?) -> Result<GzipInflater.Inflated, GzipInflater.Failure> {
        let result = GzipInflater.inflateAll(compressed, maxOutput: maxOutput, gate: gate)
        compressed = []
        leases = []
        return result
    }
}

/// Holds a deferred handler's response when it is given while the handler is still running (on the
/// connection's queue or, racing it, on another thread), so the connection writes it when the
/// handler returns instead of hopping through its queue.
private final class ResponseHandoff: Sendable {
    private enum State {
        case handling
        case held(HTTPResponse)
        case detached
    }

    private let state = Mutex(State.handling)

    /// Keeps `response` if the handler is still running; false once it returned (send it yourself).
    func hold(_ response: HTTPResponse) -> Bool {
        state.withLock { state in
            guard case .handling = state else { return false }
            state = .held(response)
            return true
        }
    }

    /// Called when the handler returns: the response it gave, if any. Later responses are not held.
    func finishHandling() -> HTTPResponse? {
        state.withLock { state in
            defer { state = .detached }
            if case .held(let response) = state { return response }
            return nil
        }
    }
}
