// core-bench: OptimizerEngine step throughput (float32) beside torch.optim.Adam(fused=True).
// Run: swift run -c release --package-path Benchmarks core-bench [--quick] [--no-torch] [--only adam,...] [--sizes 1000,...] [--runs 3]
CoreBench.main()
