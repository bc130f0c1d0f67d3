// swift-tools-version:6.1
// Benchmarks live in their own package so that `swift test` in the root never builds them.
// Build and run with `swift run -c release --package-path Benchmarks <name>`; see BENCHMARKS.md.
import PackageDescription

let package = Package(
    name: "optd-benchmarks",
    platforms: [.macOS(.v15)],
    // Named explicitly: a path dependency is otherwise identified by its folder name, which differs
    // between clones (`optd`, `main`, a worktree).
    dependencies: [.package(name: "optd", path: "..")],
    targets: [
        .executableTarget(name: "core-bench", dependencies: [.product(name: "OptimizerCore", package: "optd")]),
        .executableTarget(name: "json-bench", dependencies: [.product(name: "FastJSON", package: "optd")]),
        .executableTarget(name: "http-bench-server", dependencies: [.product(name: "MicroHTTP", package: "optd")]),
        .executableTarget(name: "storage-bench", dependencies: [.product(name: "DurableStorage", package: "optd")]),
    ]
)
