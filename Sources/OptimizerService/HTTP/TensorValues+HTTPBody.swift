import MicroHTTP

extension TensorValues {
    /// The values as a response body, sent in place (little-endian IEEE 754).
    var body: HTTPBody {
        switch self {
        case .float32(let v): .buffer(v)
        case .float64(let v): .buffer(v)
        }
    }
}
