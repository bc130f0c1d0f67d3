#!/usr/bin/env python3
"""Opens N idle keep-alive connections to 127.0.0.1:PORT (half of them send one request first),
reports the server's RSS before/after from /proc/PID/status, checks that another client is still
answered promptly, then closes everything. Usage: http-idle.py PORT PID [N]"""
import socket, sys, time

port, pid = int(sys.argv[1]), int(sys.argv[2])
n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000

def rss_kib():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1

before = rss_kib()
conns = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    if i % 2 == 0:
        s.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        s.recv(4096)
    conns.append(s)
time.sleep(1.0)
during = rss_kib()
probe = socket.create_connection(("127.0.0.1", port), timeout=5)
lat = []
for _ in range(50):
    t = time.perf_counter()
    probe.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
    probe.recv(4096)
    lat.append((time.perf_counter() - t) * 1e3)
lat.sort()
for s in conns:
    s.close()
probe.close()
time.sleep(0.5)
after = rss_kib()
print(f"idle connections: {n}; server RSS KiB before {before}, with {n} idle {during} "
      f"(+{(during - before) / n:.1f} KiB/conn), after closing {after}; "
      f"probe latency p50 {lat[len(lat)//2]:.3f} ms, max {lat[-1]:.3f} ms")
