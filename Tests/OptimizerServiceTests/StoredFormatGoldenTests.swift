import DurableStorage
import Foundation
import Logging
import OptimizerCore
import Synchronization
@testable import OptimizerService
import Testing

/// Today's code must read the files sessions were stored in: a snapshot (`OPTDSNP1`) and a log with
/// a step record (`OPTDREC1`), in DurableStorage's framing, committed under `Fixtures/` as written by
/// the format's first version. Nothing here regenerates them: a change that cannot read them breaks
/// data users have on disk.
///
/// The session: float32 Adam (lr 0.1) with a `step` schedule (step_size 1, gamma 0.5); parameters
/// `w` = [1, -2] and `b` = [0.5]; step 1 with gradients w [0.5, -0.25], b [1]; step 2 with w [0.25, 0.5]
/// and no gradient for `b` (Idempotency-Key `k1`). The snapshot holds step 2, with `last_lr`; the
/// log holds step 3 with gradients [-1, 0.125, 2].
@Suite struct StoredFormatGoldenTests {
    static let id = "0f0e0d0c0b0a49088706050403020100"

    static func fixture(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return Array(try Data(contentsOf: url.appendingPathComponent(name)))
    }

    static func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

    static func tensor(_ state: ParameterState<Float>?, _ name: String) -> [UInt32]? {
        guard case .tensor(let values) = state?[name] else { return nil }
        return bits(values)
    }

    /// The snapshot's payload, its checksummed framing checked by `AtomicFile.read`.
    static func snapshotPayload() throws -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "optd-golden-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("snapshot").path
        try Data(try fixture("snapshot-v1.snap")).write(to: URL(fileURLWithPath: path))
        return try AtomicFile.read(path: path)
    }

    /// Checks the state the snapshot holds, with or without `last_lr`.
    static func expectStepTwo(_ checkpoint: EngineCheckpoint<Float>) throws {
        #expect(checkpoint.stepCount == 2)
        #expect(checkpoint.spec.optimizer.kind == .adam)
        #expect(checkpoint.spec.schedule?.kind == .step)
        #expect(checkpoint.layout.entries.map(\.name) == ["w", "b"])
        #expect(checkpoint.layout.entries.map(\.shape) == [[2], [1]])
        #expect(bits(checkpoint.parameters) == [0x3f5a_77d6, 0xbff5_8b06, 0x3ecc_cccd])
        let w = checkpoint.states.first { $0.name == "w" }
        let b = checkpoint.states.first { $0.name == "b" }
        #expect(w?["step"] == .count(2))
        #expect(tensor(w, "exp_avg") == [0x3d8f_5c29, 0x3ce1_47ad])
        #expect(tensor(w, "exp_avg_sq") == [0x39a3_b57d, 0x39a3_cea7])
        #expect(b?["step"] == .count(1), "b had no gradient in step 2")
        #expect(tensor(b, "exp_avg") == [0x3dcc_cccd])
        #expect(tensor(b, "exp_avg_sq") == [0x3a83_126f])
        let engine = try OptimizerEngine(checkpoint: checkpoint)
        #expect(engine.lr == 0.025, "the lr step 3 uses: 0.1 · 0.5²")
    }

    @Test func theVersionOneSnapshotReads() throws {
        guard case .float32(let checkpoint, let meta) = try SessionCodec.decodeSnapshot(try Self.snapshotPayload())
        else {
            Issue.record("the snapshot is float32")
            return
        }
        #expect(meta.id.description == Self.id)
        #expect(meta.name == "golden")
        #expect(meta.createdAt.secondsSinceEpoch == 1_780_000_000)
        #expect(meta.updatedAt.secondsSinceEpoch == 1_780_000_060)
        #expect(meta.version == 2)
        #expect(meta.idempotency.map(\.key) == ["k1"])
        #expect(meta.idempotency.first?.report.step == 2)
        #expect(meta.idempotency.first?.report.lr.bitPattern == 0x3fa9_9999_9999_999a)
        #expect(checkpoint.lastLR?.map(\.bitPattern) == [0x3f99_9999_9999_999a])
        try Self.expectStepTwo(checkpoint)
    }

    /// Snapshots written before `last_lr` existed rebuild the schedule's sequence instead.
    @Test func aSnapshotWithoutLastLRStillReads() throws {
        let payload = try Self.snapshotPayload()
        let magic = 8
        let length = payload[magic..<(magic + 4)].reversed().reduce(0) { $0 << 8 | Int($1) }
        let header = String(decoding: payload[(magic + 4)..<(magic + 4 + length)], as: UTF8.self)
        let member = #","last_lr":["3f9999999999999a"]"#
        #expect(header.contains(member))
        let stripped = Array(header.replacingOccurrences(of: member, with: "").utf8)
        var old = Array(payload[..<magic])
        withUnsafeBytes(of: UInt32(stripped.count).littleEndian) { old.append(contentsOf: $0) }
        old += stripped + payload[(magic + 4 + length)...]
        guard case .float32(let checkpoint, _) = try SessionCodec.decodeSnapshot(old) else {
            Issue.record("the snapshot is float32")
            return
        }
        #expect(checkpoint.lastLR == nil)
        try Self.expectStepTwo(checkpoint)
    }

    /// The snapshot and the log laid out as a session directory: reloading it replays the step
    /// record on top of the snapshot, exactly as the service does after a restart or an eviction.
    @Test func theVersionOneSessionDirectoryReloadsWithItsLoggedStep() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "optd-golden-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let persistence = try SessionPersistence(
            path: directory.path, policy: .never, logger: Logger(label: "optd-golden"))
        let session = directory.appendingPathComponent("sessions").appendingPathComponent(Self.id)
        try FileManager.default.createDirectory(at: session, withIntermediateDirectories: true)
        try Data(try Self.fixture("snapshot-v1.snap"))
            .write(to: session.appendingPathComponent("snapshot-0000000000000000.snap"))
        try Data(try Self.fixture("log-v1.log")).write(to: session.appendingPathComponent("log-0000000000000000.log"))

        let configuration = ServiceConfiguration()
        let registry = SessionRegistry(maxSessions: 10, memoryBudgetBytes: 1 << 30)
        let id = try #require(SessionID(Self.id))
        let loaded = try persistence.load(id, into: registry, configuration: configuration)
        defer { persistence.close(loaded) }
        let (engine, version, name, key) = loaded.state.withLock {
            ($0.engine, $0.version, $0.name, $0.idempotency["k1"])
        }
        #expect(engine.stepCount == 3)
        #expect(version == 3)
        #expect(name == "golden")
        guard case .float32(let e) = engine else {
            Issue.record("the session is float32")
            return
        }
        #expect(Self.bits(e.parameters) == [0x3f5b_c9ee, 0xbff6_df86, 0x3ec0_7218])
        #expect(e.lr == 0.0125, "the lr step 4 uses")
        guard case .done(_, let report)? = key else {
            Issue.record("the idempotency key survives")
            return
        }
        #expect(report.step == 2)
    }
}
