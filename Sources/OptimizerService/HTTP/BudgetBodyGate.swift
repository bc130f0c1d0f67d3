import MicroHTTP

extension MemoryLease: BodyMemoryLease {}

/// Counts request bodies against the memory budget (`SessionRegistry.tryLease`): the HTTP layer asks
/// before it buffers a body over 64 KiB, and a body that does not fit is a 507 before it is read.
struct BudgetBodyGate: BodyMemoryGate {
    let registry: SessionRegistry

    func reserve(bytes: Int) -> (any BodyMemoryLease)? {
        registry.tryLease(bytes: bytes)
    }

    func refusal(bytes: Int) -> HTTPResponse {
        registry.budgetExceeded(needed: bytes, for: "the request body").response()
    }
}
