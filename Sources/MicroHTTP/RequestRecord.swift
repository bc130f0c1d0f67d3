/// What the server observed about one answered request, passed to the configured observer after
/// the response was written (or the connection failed while writing it).
public struct RequestRecord: Sendable {
    /// The method, or nil when the request line could not be parsed.
    public var method: HTTPMethod?
    /// The request path, or nil when the request line could not be parsed.
    public var path: String?
    /// The matched route pattern (`"/v1/sessions/:id"`), nil for 404s and protocol errors.
    public var routePattern: String?
    /// The response status.
    public var status: HTTPStatus
    /// From the first byte of the request (or the moment its head was complete, for pipelined
    /// requests already buffered) to the last byte of the response handed to the kernel.
    public var duration: Duration
    /// Request bytes on the wire: head plus framed body.
    public var bytesIn: Int
    /// Response bytes on the wire: head plus body.
    public var bytesOut: Int
    /// The peer address.
    public var remoteAddress: String?
}
