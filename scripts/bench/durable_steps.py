"""Step throughput of a durable optd under each --fsync policy, for 1k and 1M float32 parameters.

    python3 scripts/bench/durable_steps.py PATH_TO_OPTD [SECONDS]

For each policy (and for no data directory, the in-memory baseline) it starts optd on a loopback
port with a fresh data directory, creates an Adam session, and sends binary steps with
`Prefer: return=minimal` over one keep-alive connection for SECONDS (default 5) per size; it prints
steps/s and the median latency. The data directory is on this machine's disk (see BENCHMARKS.md).
"""
import http.client
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

binary = sys.argv[1]
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def measure(policy, count):
    port = free_port()
    data = tempfile.mkdtemp(prefix="optd-bench-", dir="/var/tmp")
    args = [binary, "--port", str(port), "--log-level", "error"]
    if policy:
        args += ["--data-dir", data, "--fsync", policy]
    server = subprocess.Popen(args)
    try:
        deadline = time.time() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        spec = {"optimizer": {"type": "adam"}, "parameters": {"w": {"shape": [count]}}}
        conn.request("POST", "/v1/sessions", json.dumps(spec), {"Content-Type": "application/json"})
        sid = json.loads(conn.getresponse().read())["id"]
        body = np.random.default_rng(0).standard_normal(count).astype("<f4").tobytes()
        headers = {"Content-Type": "application/octet-stream", "Prefer": "return=minimal"}
        latencies = []
        start = time.perf_counter()
        while time.perf_counter() - start < seconds and len(latencies) < 100000:
            t = time.perf_counter()
            conn.request("POST", f"/v1/sessions/{sid}/step", body, headers)
            r = conn.getresponse()
            r.read()
            assert r.status == 200
            latencies.append(time.perf_counter() - t)
        elapsed = time.perf_counter() - start
        return len(latencies) / elapsed, statistics.median(latencies) * 1e3
    finally:
        server.terminate()
        server.wait(timeout=15)
        shutil.rmtree(data, ignore_errors=True)


print(f"{'policy':<12} {'params':>9} {'steps/s':>10} {'median ms':>10}")
for count in (1000, 1_000_000):
    for policy in (None, "never", "interval=1", "always"):
        rate, median = measure(policy, count)
        print(f"{policy or 'in memory':<12} {count:>9} {rate:>10.0f} {median:>10.3f}")
