// json-bench: FastJSON float-array throughput vs orjson. No work at top level: loops in top-level code
// of main.swift run several times slower than the same loops inside a function.
JSONBench.main()
