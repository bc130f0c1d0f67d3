import OptimizerCore
import Testing

@testable import OptimizerService

/// `IdempotencyCache` on its own: pending and done keys, cancelling, and forgetting the oldest done
/// keys past the capacity (the routes' use of it is in `IdempotencyLiveTests`).
@Suite struct IdempotencyCacheTests {
    static let digest = BodyDigest(body: Array(#"{"gradients": {"w": [1]}}"#.utf8), contentType: "application/json")
    static func report(_ step: Int) -> StepReport { StepReport(step: step, lr: 0.1, gradNorm: 1) }

    @Test func aKeyIsPendingUntilCompleted() {
        var cache = IdempotencyCache(capacity: 4)
        #expect(cache["k"] == nil)
        do {
            let began = cache.begin("k")
            #expect(began)
        }
        #expect(cache["k"] == .pending)
        // A retry while the step runs: refused (the route answers 409).
        do {
            let began = cache.begin("k")
            #expect(!began)
        }
        #expect(cache.finished.isEmpty)
        cache.complete("k", digest: Self.digest, report: Self.report(1))
        #expect(cache["k"] == .done(digest: Self.digest, report: Self.report(1)))
        #expect(cache.finished.map(\.key) == ["k"])
        #expect(cache.finished.first?.report == Self.report(1))
    }

    @Test func cancellingForgetsANewKeyAndRestoresAnEarlierResult() {
        var cache = IdempotencyCache(capacity: 4)
        do {
            let began = cache.begin("new")
            #expect(began)
        }
        cache.cancel("new", restoring: nil)
        #expect(cache["new"] == nil)
        do {
            let began = cache.begin("new")
            #expect(began, "a cancelled key can be used again")
        }

        do {
            let began = cache.begin("done")
            #expect(began)
        }
        cache.complete("done", digest: Self.digest, report: Self.report(1))
        let previous = cache["done"]
        // A replay marks the key pending while it is answered, then puts the result back.
        do {
            let began = cache.begin("done")
            #expect(began)
        }
        #expect(cache["done"] == .pending)
        cache.cancel("done", restoring: previous)
        #expect(cache["done"] == previous)
        #expect(cache.finished.map(\.key) == ["done"])
    }

    @Test func theOldestDoneKeysAreForgottenPastTheCapacity() {
        var cache = IdempotencyCache(capacity: 2)
        for (i, key) in ["a", "b", "c"].enumerated() {
            do {
                let began = cache.begin(key)
                #expect(began)
            }
            cache.complete(key, digest: Self.digest, report: Self.report(i + 1))
        }
        #expect(cache["a"] == nil)
        #expect(cache.finished.map(\.key) == ["b", "c"])
        #expect(cache.finished.map(\.report.step) == [2, 3])
    }

    @Test func aPendingKeyIsNeverForgotten() {
        var cache = IdempotencyCache(capacity: 1)
        do {
            let began = cache.begin("slow")
            #expect(began)
        }
        do {
            let began = cache.begin("fast")
            #expect(began)
        }
        cache.complete("fast", digest: Self.digest, report: Self.report(1))
        // Over capacity, but the oldest key is still running: both stay.
        #expect(cache["slow"] == .pending)
        #expect(cache["fast"] != nil)
        cache.complete("slow", digest: Self.digest, report: Self.report(2))
        #expect(cache["slow"] == nil, "the oldest, now done, goes first")
        #expect(cache.finished.map(\.key) == ["fast"])
    }

    @Test func theCapacityIsAtLeastOne() {
        #expect(IdempotencyCache(capacity: 0).capacity == 1)
        #expect(IdempotencyCache(capacity: -5).capacity == 1)
    }

    @Test(arguments: [
        ("k", true), ("setup-key", true), ("!~", true), (String(repeating: "k", count: 255), true),
        ("", false), ("a b", false), ("tab\there", false), ("é", false), (String(repeating: "k", count: 256), false),
    ])
    func keysAreOneTo255VisibleASCIICharacters(_ key: String, _ valid: Bool) {
        #expect(key.isValidIdempotencyKey == valid)
    }
}
