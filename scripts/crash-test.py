"""Crash and corruption test for optd's durable sessions (issue: nothing acknowledged is lost).

    python3 scripts/crash-test.py PATH_TO_OPTD [STEPS] [KILLS]

1. Crash: a client streams STEPS (default 300) float32 Adam steps with idempotency keys to an optd
   with --data-dir and --fsync always. At KILLS (default 6) random steps the server gets a SIGKILL
   0-6 ms after the step's request starts (so before, during or after its acknowledgement); the
   client restarts the server and retries whatever was not acknowledged, with the same key and body. At the end the session must equal, bit for bit, a reference session on an
   in-memory optd that received the same gradients once each, and every acknowledged step number
   must be the one the client expected (none lost, none applied twice).
2. Corruption: three sessions are written and the server stopped; one snapshot gets a flipped bit,
   one log is cut in the middle of its last record. On restart the service must come up, report
   the corrupt session by name and skip it, restore the cut one up to its last complete change,
   and keep the intact one exactly.
Only loopback is used; every wait is bounded.
"""
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

BINARY = sys.argv[1]
STEPS = int(sys.argv[2]) if len(sys.argv) > 2 else 300
KILLS = int(sys.argv[3]) if len(sys.argv) > 3 else 6
COUNT = 4096
rng = random.Random(20261124)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, data_dir=None):
        self.port = free_port()
        self.data_dir = data_dir
        self.process = None
        self.log = tempfile.NamedTemporaryFile(prefix="optd-crash-", suffix=".log", delete=False)

    def start(self):
        args = [BINARY, "--port", str(self.port), "--log-level", "notice"]
        if self.data_dir:
            args += ["--data-dir", self.data_dir, "--fsync", "always"]
        self.process = subprocess.Popen(args, stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if request(self, "GET", "/readyz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("server did not start; log: " + self.log_text())

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=15)
        assert code == 0, f"exit code {code}"

    def log_text(self):
        with open(self.log.name) as f:
            return f.read()


def request(server, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path, body, headers or {})
        r = conn.getresponse()
        return r.status, r.read(), dict(r.getheaders())
    finally:
        conn.close()


def create(server, spec):
    status, body, _ = request(server, "POST", "/v1/sessions", json.dumps(spec), {"Content-Type": "application/json"})
    assert status == 201, body
    return json.loads(body)["id"]


def gradient(i):
    return np.random.default_rng(i).standard_normal(COUNT).astype("<f4").tobytes()


def parameters(server, sid):
    status, body, headers = request(server, "GET", f"/v1/sessions/{sid}/parameters",
                                    headers={"Accept": "application/octet-stream"})
    assert status == 200, body
    return body, int(headers["Optd-Step"])


def summary_lr(server, sid):
    """The lr the next step uses, as the summary's JSON text (the shortest round-trip decimal)."""
    status, body, _ = request(server, "GET", f"/v1/sessions/{sid}")
    assert status == 200, body
    return re.search(rb'"lr":([^,}]+)', body).group(1).decode()


def crash_test(data_dir):
    # A recursive schedule: the lr sequence's position is durable state too.
    spec = {"optimizer": {"type": "adam", "lr": 1e-3, "amsgrad": True},
            "schedule": {"type": "cosine_annealing", "t_max": 37, "eta_min": 1e-5},
            "parameters": {"w": {"shape": [COUNT]}}}
    server = Server(data_dir)
    server.start()
    sid = create(server, spec)
    kills = 0
    kill_lock = threading.Lock()

    def kill_now():
        # A SIGKILL at whatever point the server has reached: before, during or after the step.
        nonlocal kills
        with kill_lock:
            if server.process.poll() is None:
                server.kill()
                kills += 1

    # KILLS distinct steps, each followed by a kill 0-6 ms after its request starts.
    kill_points = set(rng.sample(range(2, STEPS + 1), KILLS))
    timers = []
    headers = {"Content-Type": "application/octet-stream", "Prefer": "return=minimal"}
    retries = 0
    deadline = time.time() + 600
    i = 1
    while i <= STEPS:
        assert time.time() < deadline, "crash test took too long"
        if i in kill_points:
            kill_points.discard(i)
            timer = threading.Timer(rng.uniform(0, 0.006), kill_now)
            timer.start()
            timers.append(timer)
        try:
            status, body, _ = request(server, "POST", f"/v1/sessions/{sid}/step", gradient(i),
                                      dict(headers, **{"Idempotency-Key": f"step-{i}"}))
        except (OSError, http.client.HTTPException):
            retries += 1
            with kill_lock:
                if server.process.poll() is not None:
                    server.start()
            continue
        assert status == 200, (i, status, body)
        step = json.loads(body)["step"]
        assert step == i, f"step {i} was acknowledged as step {step}"
        i += 1
    for timer in timers:
        timer.join(timeout=5)
    if server.process.poll() is not None:
        server.start()
    durable, durable_step = parameters(server, sid)
    durable_lr = summary_lr(server, sid)
    server.stop()

    reference = Server()
    reference.start()
    rid = create(reference, spec)
    for i in range(1, STEPS + 1):
        status, body, _ = request(reference, "POST", f"/v1/sessions/{rid}/step", gradient(i), headers)
        assert status == 200, body
    expected, expected_step = parameters(reference, rid)
    expected_lr = summary_lr(reference, rid)
    reference.stop()
    assert durable_step == expected_step == STEPS, (durable_step, expected_step)
    assert durable == expected, "the recovered session differs from the reference run"
    assert durable_lr == expected_lr, f"the recovered lr {durable_lr!r} differs from the reference's {expected_lr!r}"
    assert kills == KILLS, f"{kills} of {KILLS} kills happened"
    print(f"crash-test: {STEPS} steps, {kills} SIGKILLs, {retries} retries: bit-identical to the reference run")


def corruption_test(data_dir):
    server = Server(data_dir)
    server.start()
    spec = {"optimizer": {"type": "sgd", "lr": 1.0}, "parameters": {"w": [0.0, 0.0]}}
    ids = [create(server, spec) for _ in range(3)]
    for sid in ids:
        for _ in range(3):
            status, body, _ = request(server, "POST", f"/v1/sessions/{sid}/step",
                                      json.dumps({"gradients": {"w": [1.0, -1.0]}}), {"Content-Type": "application/json"})
            assert status == 200, body
    server.stop()
    flipped, cut, intact = ids
    directory = os.path.join(data_dir, "sessions")
    snapshot = next(f for f in os.listdir(os.path.join(directory, flipped)) if f.startswith("snapshot"))
    path = os.path.join(directory, flipped, snapshot)
    data = bytearray(open(path, "rb").read())
    data[len(data) // 2] ^= 0x10
    open(path, "wb").write(bytes(data))
    log = next(f for f in os.listdir(os.path.join(directory, cut)) if f.startswith("log"))
    path = os.path.join(directory, cut, log)
    size = os.path.getsize(path)
    os.truncate(path, size - 7)

    server.start()
    assert request(server, "GET", f"/v1/sessions/{flipped}")[0] == 404, "a corrupt session was served"
    assert flipped in server.log_text(), "the corrupt session was not reported by name"
    status, body, _ = request(server, "GET", f"/v1/sessions/{cut}/parameters")
    assert status == 200 and json.loads(body) == {"step": 2, "parameters": {"w": [-2.0, 2.0]}}, body
    status, body, _ = request(server, "GET", f"/v1/sessions/{intact}/parameters")
    assert status == 200 and json.loads(body) == {"step": 3, "parameters": {"w": [-3.0, 3.0]}}, body
    server.stop()
    print("crash-test: flipped snapshot reported and skipped, cut log restored to its last whole change, intact kept")


def main():
    root = tempfile.mkdtemp(prefix="optd-crash-")
    try:
        crash_test(os.path.join(root, "crash"))
        corruption_test(os.path.join(root, "corrupt"))
    finally:
        shutil.rmtree(root, ignore_errors=True)


main()
