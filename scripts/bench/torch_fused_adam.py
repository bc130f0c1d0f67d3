#!/usr/bin/env python3
"""Baseline for core-bench: torch.optim.Adam(fused=True) step throughput on float32 CPU tensors.

Prints one line per (size, threads): `torch_fused_adam n=<params> threads=<t> median_s=<s> params_per_s=<x>`,
the median over repeated single steps (one parameter tensor, fresh random gradient kept fixed).
Usage: python3 scripts/bench/torch_fused_adam.py [--sizes 1000,1000000,10000000] [--threads 1,2] [--runs 3]
"""
import argparse
import statistics
import time

import torch


def bench(n: int, threads: int, max_reps: int, max_seconds: float) -> float:
    torch.set_num_threads(threads)
    p = torch.nn.Parameter(torch.zeros(n, dtype=torch.float32))
    p.grad = torch.randn(n, dtype=torch.float32, generator=torch.Generator().manual_seed(0))
    opt = torch.optim.Adam([p], lr=1e-3, fused=True)
    for _ in range(3):
        opt.step()
    times = []
    start = time.perf_counter()
    while len(times) < max_reps and (time.perf_counter() - start < max_seconds or len(times) < 5):
        t0 = time.perf_counter()
        opt.step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,1000000,10000000")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--runs", type=int, default=1, help="repeat each measurement and report the median run")
    args = parser.parse_args()
    for n in (int(x) for x in args.sizes.split(",")):
        for t in (int(x) for x in args.threads.split(",")):
            reps = 2000 if n <= 10_000 else (200 if n <= 1_000_000 else 40)
            s = statistics.median(bench(n, t, reps, 3.0) for _ in range(max(1, args.runs)))
            print(f"torch_fused_adam n={n} threads={t} median_s={s:.9f} params_per_s={n / s:.6e}", flush=True)


if __name__ == "__main__":
    main()
