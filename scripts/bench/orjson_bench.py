#!/usr/bin/env python3
"""Measures orjson.loads / orjson.dumps on a JSON number array, for comparison with FastJSON.

json-bench writes the document it parses to a file and runs this script on the same bytes, so both libraries
read identical text. Prints one JSON object with median wall seconds (and the minimum, and the median thread CPU seconds,
which excludes time the process was descheduled on a busy machine) per call:

  loads:        orjson.loads(text) -> nested lists of Python floats
  dumps:        orjson.dumps(those lists) (float64 shortest repr)
  dumps_numpy:  orjson.dumps(numpy array of --dtype, OPT_SERIALIZE_NUMPY), orjson's native float32/float64
                writer (only if numpy is installed)

Usage: python3 scripts/bench/orjson_bench.py --input FILE [--repeat 15] [--dtype float32|float64]
"""
import argparse
import json
import statistics
import sys
import time

import orjson


def timed(fn, repeat):
    """Median and minimum wall seconds, median thread CPU seconds, and the last result."""
    times = []
    cpu = []
    result = None
    fn()  # warm-up
    for _ in range(repeat):
        c0 = time.thread_time()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    return statistics.median(times), min(times), statistics.median(cpu), result


def count_numbers(value):
    if isinstance(value, list):
        return sum(count_numbers(v) for v in value)
    return 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True, help="file holding the JSON document")
    parser.add_argument("--repeat", type=int, default=15, help="timed repetitions per operation (default 15)")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"], help="numpy dtype for dumps_numpy")
    args = parser.parse_args()

    with open(args.input, "rb") as f:
        data = f.read()
    value = orjson.loads(data)
    report = {
        "orjson": orjson.__version__,
        "python": sys.version.split()[0],
        "count": count_numbers(value),
        "bytes": len(data),
    }
    report["loads_median_s"], report["loads_min_s"], report["loads_cpu_s"], _ = timed(
        lambda: orjson.loads(data), args.repeat
    )
    report["dumps_median_s"], report["dumps_min_s"], report["dumps_cpu_s"], out = timed(
        lambda: orjson.dumps(value), args.repeat
    )
    report["dumps_bytes"] = len(out)
    try:
        import numpy

        array = numpy.asarray(value, dtype=args.dtype)
        option = orjson.OPT_SERIALIZE_NUMPY
        report["numpy"] = numpy.__version__
        report["dumps_numpy_median_s"], report["dumps_numpy_min_s"], report["dumps_numpy_cpu_s"], out = timed(
            lambda: orjson.dumps(array, option=option), args.repeat
        )
        report["dumps_numpy_bytes"] = len(out)
    except ImportError:
        pass
    print(json.dumps(report))


if __name__ == "__main__":
    main()
