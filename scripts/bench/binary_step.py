"""End-to-end time of a binary float32 step through optd, over one keep-alive connection.

    python3 scripts/bench/binary_step.py BASE_URL COUNT [REPEATS]
Creates an Adam session of COUNT zeros, sends REPEATS (default 11) binary steps of random gradients
with `Accept: application/octet-stream`, and prints the median and best wall time per step in ms.
"""
import http.client
import json
import statistics
import sys
import time
import urllib.parse

import numpy as np

base, count = sys.argv[1], int(sys.argv[2])
repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 11
url = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
spec = {"optimizer": {"type": "adam", "lr": 1e-3}, "parameters": {"w": {"shape": [count]}}}
conn.request("POST", "/v1/sessions", json.dumps(spec), {"Content-Type": "application/json"})
r = conn.getresponse()
session = json.loads(r.read())
assert r.status == 201, session
path = f"/v1/sessions/{session['id']}"
grads = np.random.default_rng(0).standard_normal(count).astype("<f4").tobytes()
headers = {"Content-Type": "application/octet-stream", "Accept": "application/octet-stream"}
times = []
for _ in range(repeats):
    start = time.perf_counter()
    conn.request("POST", path + "/step", grads, headers)
    r = conn.getresponse()
    body = r.read()
    times.append(time.perf_counter() - start)
    assert r.status == 200 and len(body) == 4 * count, (r.status, body[:200])
conn.request("DELETE", path)
conn.getresponse().read()
print(f"binary step, {count} float32 params: median {statistics.median(times) * 1e3:.1f} ms, "
      f"best {min(times) * 1e3:.1f} ms over {repeats}")
