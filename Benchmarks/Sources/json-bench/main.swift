// json-bench: FastJSON float-array throughput vs orjson. No work at top level (see style.md §2).
JSONBench.main()
