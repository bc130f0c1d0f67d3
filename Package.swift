// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "optd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "optd", targets: ["optd"]),
        .library(name: "OptimizerCore", targets: ["OptimizerCore"]),
        .library(name: "MicroHTTP", targets: ["MicroHTTP"]),
        .library(name: "FastJSON", targets: ["FastJSON"]),
        .library(name: "DurableStorage", targets: ["DurableStorage"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Pure numerics: no Foundation, no I/O, no locks.
        .target(name: "OptimizerCore"),
        // zlib through pkg-config; the shim wraps inflateInit2/deflateInit2, which are C macros.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // HTTP/1.1 on POSIX sockets and Dispatch; knows nothing about optimizers.
        .target(
            name: "MicroHTTP",
            dependencies: ["CZlib", .product(name: "Logging", package: "swift-log")]
        ),
        // Streaming JSON reader and writer with exact float32/float64 round trips.
        .target(name: "FastJSON"),
        // Crash-safe files: an append-only checksummed log and atomic snapshots, with fsync policies.
        .target(name: "DurableStorage", dependencies: ["CDurableStorage"]),
        // CRC-32C in C: SSE4.2 `crc32q` (three interleaved streams) behind a cpuid check, table fallback.
        .target(name: "CDurableStorage"),
        // The product: sessions over HTTP, joining OptimizerCore and MicroHTTP.
        .target(
            name: "OptimizerService",
            dependencies: [
                "OptimizerCore", "MicroHTTP", "FastJSON", "DurableStorage",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "optd",
            dependencies: [
                "OptimizerService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What the test targets share: the blocking HTTP client, the in-memory router client, the
        // ordered JSON value and the torch fixtures (its resources, found through Bundle.module).
        .target(
            name: "TestSupport",
            dependencies: ["MicroHTTP", "OptimizerCore"],
            path: "Tests/TestSupport",
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "OptimizerCoreTests", dependencies: ["OptimizerCore", "TestSupport"]),
        .testTarget(name: "MicroHTTPTests", dependencies: ["MicroHTTP", "TestSupport"]),
        .testTarget(name: "FastJSONTests", dependencies: ["FastJSON"]),
        .testTarget(name: "DurableStorageTests", dependencies: ["DurableStorage"]),
        .testTarget(
            name: "OptimizerServiceTests",
            dependencies: ["OptimizerService", "MicroHTTP", "OptimizerCore", "DurableStorage", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
    ]
)

// Release builds on x86-64 target Haswell (AVX2 and FMA, every x86-64 server CPU since
// 2013). Without it each fused multiply-add of the optimizer kernels, which torch parity needs,
// becomes a call to `fmaf` and a step is about 40 times slower (BENCHMARKS.md). Other architectures
// have FMA in their baseline.
#if arch(x86_64)
let cpuSettings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"], .when(configuration: .release))]
#else
let cpuSettings: [SwiftSetting] = []
#endif

// CI builds with OPTD_WARNINGS_AS_ERRORS=1 (.ci/run): a warning in optd's own targets fails the build.
// Dependencies are not affected; a local build only prints warnings.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
let warningSettings: [SwiftSetting] =
    getenv("OPTD_WARNINGS_AS_ERRORS").map { String(cString: $0) } == "1" ? [.unsafeFlags(["-warnings-as-errors"])] : []

for target in package.targets where target.type != .system {
    target.swiftSettings =
        (target.swiftSettings ?? []) + [
            .enableUpcomingFeature("ExistentialAny"),
            .enableUpcomingFeature("MemberImportVisibility"),
            .enableUpcomingFeature("InternalImportsByDefault"),
        ] + cpuSettings + warningSettings
}
