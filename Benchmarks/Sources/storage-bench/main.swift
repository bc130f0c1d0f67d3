// storage-bench: DurableStorage append latency/throughput per fsync policy, CRC-32C speed, recovery scan.
// Usage: swift run -c release --package-path Benchmarks storage-bench [--dir PATH] [--quick] [--only crc|append|recovery|snapshot]
StorageBench.main(arguments: Array(CommandLine.arguments.dropFirst()))
