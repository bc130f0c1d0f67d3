/// Where a synchronous handler runs.
public enum RouteExecution: Sendable {
    /// On the connection's I/O queue, with no thread hop: for cheap handlers (microseconds).
    case inline
    /// On a global worker queue, then back to the I/O queue to write: for anything heavier.
    case worker
}
