"""Adversarial test: hostile requests against the release optd, which must refuse them cleanly.

    python3 scripts/adversarial-test.py PATH_TO_OPTD [CASE ...]

Starts the real binary on 127.0.0.1 (--port 0, the port read from its log) with a small
--memory-budget (BUDGET) and drives it with one class of hostile request per case (CASE names or
numbers pick some; default all). Throughout each case:

- a prober process GETs /healthz every 20 ms on its own keep-alive connection and records each
  latency; the case fails unless the p99 is at most HEALTH_P99_MS and the maximum at most
  HEALTH_MAX_MS (= 50 ms plus a 50 ms tolerance for one scheduling hiccup on a shared 2-core
  machine) and no probe failed. The prober is a separate process, not a thread, so that the
  script's own work (building multi-megabyte bodies holds the GIL) never shows up as server latency;
- the same prober samples VmRSS from /proc/<pid>/status every 20 ms, and the peak (VmHWM, reset
  through /proc/<pid>/clear_refs at the start of each case, so nothing between samples is missed)
  must stay within RSS_BASE + RATIO x BUDGET;
- the server must still be running after the case (it is restarted for the next case if not) and
  must exit with status 0 on SIGTERM.

Each case runs on a fresh server (huge-steps and persist-failures with --data-dir) and asserts
the status and the problem `code` (application/problem+json) of every hostile request, and that the
session it targeted is unchanged; its docstring says which answers it accepts and why. A request
left unanswered fails its check and the server is killed and started again, so the case's later
checks are judged on their own. A failing case is reported on one line (with its figures and the
server's log file on the next) and the next case runs. Every loop is bounded in count and time; only loopback is used. The last line
is `adversarial: N passed, M failed`; the exit status is 1 if any case failed.
"""
import contextlib
import http.client
import json
import math
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

# The figures every case is held to.
RATIO = 1.5                     # peak RSS may be RSS_BASE + RATIO x BUDGET
BUDGET = 64 << 20               # --memory-budget
RSS_BASE = 64 << 20             # the process without sessions, with headroom
RSS_LIMIT = RSS_BASE + int(RATIO * BUDGET)
HEALTH_P99_MS = 50.0
HEALTH_MAX_MS = 100.0           # 50 ms plus 50 ms tolerance (see the docstring)
PROBE_INTERVAL = 0.020
QUICK_4XX_S = 0.5               # "answers quickly": a refused request of ~64 KB
FAST_GET_S = 0.050              # a session summary
STEP_ANSWER_S = 1.0             # a step after a restore with a huge step count
RESPONSE_BOUND = 8 << 20        # case 4: no GET of a zero-size/metadata session may answer more
MAX_BODY = 64 << 20             # the server's default --max-body
CASE_DEADLINE_S = 60            # per case, checked between requests

BINARY = None
MIB = 1 << 20


# ---------------------------------------------------------------------------------------------
# Prober (a child process): healthz latency and RSS samples, one line each on stdout.

try:
    import ctypes
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl   # looked up before any fork
except (ImportError, OSError, AttributeError):
    _PRCTL = None


def die_with_parent():
    """Makes a child process get SIGKILL when the script dies, however it dies (Linux prctl)."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGKILL)   # PR_SET_PDEATHSIG


def prober_main(port, pid):
    parent = os.getppid()
    conn = None
    status_path = f"/proc/{pid}/status"
    next_probe = time.monotonic()
    deadline = time.monotonic() + 3600
    while time.monotonic() < deadline and os.getppid() == parent:
        now = time.monotonic()
        if now < next_probe:
            time.sleep(next_probe - now)
        next_probe += PROBE_INTERVAL
        if next_probe < time.monotonic():
            next_probe = time.monotonic() + PROBE_INTERVAL
        started = time.monotonic()
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            r = conn.getresponse()
            r.read()
            ms = (time.monotonic() - started) * 1000
            line = f"H {started:.6f} {ms:.3f} {r.status}"
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as e:
            ms = (time.monotonic() - started) * 1000
            line = f"H {started:.6f} {ms:.3f} ERR:{type(e).__name__}"
            if conn is not None:
                conn.close()
            conn = None
        try:
            with open(status_path) as f:
                text = f.read()
            rss = re.search(r"VmRSS:\s+(\d+) kB", text)
            line += f"\nR {time.monotonic():.6f} {rss.group(1) if rss else 0}"
        except OSError:
            pass
        try:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        except BrokenPipeError:
            return


class Monitor:
    """Runs the prober for one server process and collects its samples."""

    def __init__(self, port, pid):
        self.pid = pid
        self.health = []        # (t, ms, status)
        self.rss = []           # (t, bytes)
        self.lock = threading.Lock()
        self.process = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--probe", str(port), str(pid)],
                                        stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                                        preexec_fn=die_with_parent)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        # Wait (bounded) for the first probe so a case never starts unobserved.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not self.health:
            time.sleep(0.01)

    def _read(self):
        for line in self.process.stdout:
            parts = line.split()
            if len(parts) < 3:
                continue
            with self.lock:
                if parts[0] == "H":
                    self.health.append((float(parts[1]), float(parts[2]), parts[3]))
                elif parts[0] == "R":
                    self.rss.append((float(parts[1]), int(parts[2]) * 1024))

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.reader.join(timeout=5)


# ---------------------------------------------------------------------------------------------
# The server under test.

class Server:
    def __init__(self, data_dir=None, extra=()):
        self.data_dir = data_dir
        self.extra = list(extra)
        self.process = None
        self.port = None
        self.monitor = None
        self.finished_monitors = []
        self.log = tempfile.NamedTemporaryFile(prefix="optd-adversarial-", suffix=".log", delete=False)
        self.log_offset = 0
        self.notes = []         # a case's figures, printed whether it passes or fails

    def start(self):
        self._stop_monitor()
        args = [BINARY, "--host", "127.0.0.1", "--port", "0", "--memory-budget", str(BUDGET),
                "--log-level", "notice"] + self.extra
        if self.data_dir:
            args += ["--data-dir", self.data_dir]
        self.log_offset = os.path.getsize(self.log.name)
        self.process = subprocess.Popen(args, stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL,
                                        preexec_fn=die_with_parent)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            match = re.search(r"optd listening.*?port=(\d+)|port=(\d+).*optd listening", self.log_text(since_start=True))
            if match:
                self.port = int(match.group(1) or match.group(2))
                break
            if self.process.poll() is not None:
                raise CaseFailure(f"server exited with {self.process.returncode} at start-up: {self.log_tail()}")
            time.sleep(0.02)
        else:
            self.kill()
            raise CaseFailure("server did not report its port within 30 s: " + self.log_tail())
        while time.monotonic() < deadline:
            try:
                if request(self, "GET", "/readyz", timeout=2).status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.02)
        else:
            self.kill()
            raise CaseFailure("server not ready within 30 s: " + self.log_tail())
        self.reset_peak()
        self.monitor = Monitor(self.port, self.process.pid)

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def reset_peak(self):
        try:
            with open(f"/proc/{self.process.pid}/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass

    def peak_rss(self):
        try:
            with open(f"/proc/{self.process.pid}/status") as f:
                match = re.search(r"VmHWM:\s+(\d+) kB", f.read())
            return int(match.group(1)) * 1024 if match else 0
        except OSError:
            return 0

    def _stop_monitor(self):
        if self.monitor:
            self.monitor.stop()
            self.finished_monitors.append(self.monitor)
            self.monitor = None

    def stop(self):
        """SIGTERM; returns the exit status (None if it had to be killed)."""
        self._stop_monitor()
        if not self.alive():
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        self._stop_monitor()
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def restart(self):
        code = self.stop()
        if code != 0:
            raise CaseFailure(f"server exited with {code} on SIGTERM before the restart: {self.log_tail()}")
        self.start()

    def log_text(self, since_start=False):
        with open(self.log.name, errors="replace") as f:
            if since_start:
                f.seek(self.log_offset)
            return f.read()

    def log_tail(self, lines=8):
        return " | ".join(self.log_text().strip().splitlines()[-lines:])

    def samples(self):
        monitors = self.finished_monitors + ([self.monitor] if self.monitor else [])
        health, rss = [], []
        for m in monitors:
            with m.lock:
                health += m.health
                rss += m.rss
        return health, rss


class CaseFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CaseFailure(message)


# ---------------------------------------------------------------------------------------------
# HTTP: one connection per request (Connection: close), so a refused or half-read request never
# affects the next; sends the body even if the server answers early, and reads at most max_bytes.

class Response:
    def __init__(self, status, headers, body, elapsed, truncated, size):
        self.status, self.headers, self.body = status, headers, body
        self.elapsed, self.truncated, self.size = elapsed, truncated, size

    def json(self):
        return json.loads(self.body)

    def problem_code(self):
        try:
            return json.loads(self.body).get("code")
        except (ValueError, AttributeError):
            return None

    def __repr__(self):
        return f"{self.status} {self.problem_code() or ''} ({self.elapsed * 1000:.1f} ms) {self.body[:160]!r}"


def request(server, method, path, body=None, headers=None, timeout=30, max_bytes=256 << 20):
    if isinstance(body, str):
        body = body.encode()
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    hdrs = dict(headers or {})
    if body is not None:
        hdrs.setdefault("Content-Type", "application/json")
        hdrs["Content-Length"] = str(len(body))
    head += [f"{k}: {v}" for k, v in hdrs.items()]
    data = ("\r\n".join(head) + "\r\n\r\n").encode() + (body or b"")
    started = time.monotonic()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    try:
        sock.settimeout(timeout)
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # answered early (413, 507): the answer is still to be read
        received = bytearray()
        truncated = False
        deadline = started + timeout
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{method} {path}: no complete answer within {timeout} s")
            try:
                chunk = sock.recv(1 << 20)
            except ConnectionResetError:
                break
            except socket.timeout:
                raise TimeoutError(f"{method} {path}: no answer within {timeout} s") from None
            if not chunk:
                break
            received += chunk
            if len(received) > max_bytes:
                truncated = True
                break
            if b"\r\n\r\n" in received and _complete(received):
                break
        elapsed = time.monotonic() - started
    finally:
        sock.close()
    if b"\r\n\r\n" not in received:
        raise ConnectionError(f"{method} {path}: no answer ({len(received)} bytes)")
    raw_head, _, rest = bytes(received).partition(b"\r\n\r\n")
    lines = raw_head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    size = len(rest)
    if headers.get("transfer-encoding", "").lower() == "chunked" and not truncated:
        rest = _dechunk(rest)
        size = len(rest)
    return Response(status, headers, rest, elapsed, truncated, size)


def _complete(received):
    head, _, rest = bytes(received).partition(b"\r\n\r\n")
    text = head.decode("latin-1").lower()
    match = re.search(r"\r\ncontent-length:\s*(\d+)", text)
    if match:
        return len(rest) >= int(match.group(1))
    if "transfer-encoding: chunked" in text:
        return rest.endswith(b"0\r\n\r\n")
    status = int(text.split()[1])
    return status in (204, 304)


def _dechunk(data):
    out = bytearray()
    i = 0
    while i < len(data):
        j = data.index(b"\r\n", i)
        n = int(data[i:j].split(b";")[0], 16)
        if n == 0:
            break
        out += data[j + 2:j + 2 + n]
        i = j + 2 + n + 2
    return bytes(out)


def problem(r, statuses, codes, what):
    """Asserts a problem answer: status in `statuses`, `code` in `codes`, problem+json."""
    statuses = (statuses,) if isinstance(statuses, int) else tuple(statuses)
    codes = (codes,) if isinstance(codes, str) else tuple(codes)
    check(r.status in statuses, f"{what}: expected {'/'.join(map(str, statuses))}, got {r!r}")
    ctype = r.headers.get("content-type", "")
    check(ctype.startswith("application/problem+json"), f"{what}: content type {ctype!r}, body {r.body[:120]!r}")
    check(r.problem_code() in codes, f"{what}: expected code {'/'.join(codes)}, got {r!r}")


class Attempts:
    """Runs a case's independent checks, collecting failures so that one does not hide the rest.

    A check whose request gets no answer in time (the server is stuck on it, and later requests
    might queue behind it) is a failure, and the server is then killed and started again, so the
    following checks are judged on their own; after `max_timeouts` such restarts the case stops.
    Checks must therefore not rely on sessions made by earlier checks.
    """

    def __init__(self, server, max_timeouts=4):
        self.server = server
        self.max_timeouts = max_timeouts
        self.timeouts = 0
        self.count = 0
        self.failures = []

    @contextlib.contextmanager
    def check(self, label):
        self.count += 1
        try:
            yield
        except CaseFailure as e:
            self.failures.append(f"{label}: {e}")
        except TimeoutError as e:
            self.failures.append(f"{label}: {e} (server restarted)")
            self.timeouts += 1
            self.server.kill()
            self.server.start()
            if self.timeouts >= self.max_timeouts:
                raise CaseFailure(self.summary() + f"; stopped after {self.timeouts} timeouts") from None
        except (OSError, ConnectionError, ValueError, KeyError, TypeError, IndexError) as e:
            self.failures.append(f"{label}: {type(e).__name__}: {e}")
        if not self.server.alive():
            self.failures.append(f"{label}: the server died (exit status {self.server.process.returncode}): "
                                 f"{self.server.log_tail(3)}")
            self.server.start()

    def summary(self):
        return f"{len(self.failures)} of {self.count} checks failed: " + "; ".join(self.failures[:12]) + (
            f"; and {len(self.failures) - 12} more" if len(self.failures) > 12 else "")

    def done(self):
        check(not self.failures, self.summary())


def ok(r, status, what):
    check(r.status == status, f"{what}: expected {status}, got {r!r}")
    return r


JSON = {"Content-Type": "application/json"}
BINARY_ACCEPT = {"Accept": "application/octet-stream"}


def create(server, spec, what="create"):
    r = request(server, "POST", "/v1/sessions", json.dumps(spec))
    ok(r, 201, what)
    return r.json()


def snapshot(server, sid):
    """The session's summary and its parameters as raw bytes (compared before and after)."""
    s = ok(request(server, "GET", f"/v1/sessions/{sid}"), 200, f"GET session {sid}")
    p = ok(request(server, "GET", f"/v1/sessions/{sid}/parameters", headers=BINARY_ACCEPT), 200, "GET parameters")
    summary = s.json()
    return {"etag": s.headers.get("etag"), "step": summary["step"], "lr": summary["lr"],
            "optimizer": summary["optimizer"], "name": summary["name"], "parameters": p.body}


def unchanged(server, sid, before, what):
    after = snapshot(server, sid)
    for key in before:
        check(before[key] == after[key], f"{what}: the session's {key} changed ({str(before[key])[:80]} -> {str(after[key])[:80]})")


# ---------------------------------------------------------------------------------------------
# Cases. Each gets the running server and returns a short string of figures.

def case_deep_shapes(server):
    """Deep and long shapes: rank-70000 shapes and depth-70000 nesting are refused, the server lives.

    Each request must answer within 5 s:
    - create with {"w": {"shape": [1]*70000}}: 422 invalid_parameters (over the rank limit) or
      invalid_field, or 400 invalid_json (a parser limit);
    - create with a nested-array value of depth 70000: 422 invalid_field/invalid_parameters (the
      nesting limit) or 400 invalid_json;
    - restore of an optd-checkpoint/1 whose parameter has shape [1]*70000: 422 invalid_checkpoint
      (or invalid_parameters/invalid_field) or 400 invalid_json;
    - PUT parameters with a depth-70000 value on an existing session: 422
      invalid_field/shape_mismatch/invalid_parameters or 400 invalid_json, the session unchanged;
    - ranks 32, 33 and 64 of ones: either 201 and then GET parameters (JSON, nested to that depth),
      GET checkpoint and a restore of it answer 200/200/201, or the create is a 422
      invalid_parameters.
    """
    depth = 70000
    attempts = Attempts(server)
    refusal = ("invalid_parameters", "invalid_field", "invalid_json")
    nested = "[" * depth + "0.5" + "]" * depth

    def refused(r, label, codes=refusal):
        problem(r, (400, 422), codes, label)
        check(r.elapsed <= 5, f"{r.elapsed:.1f} s")
        server.notes.append(f"{label}: {r.status} {r.problem_code()} in {r.elapsed * 1000:.0f} ms")

    def session():
        spec = {"optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9}, "parameters": {"w": [0.5, -0.5]}}
        sid = create(server, spec)["id"]
        ok(request(server, "POST", f"/v1/sessions/{sid}/step", json.dumps({"gradients": {"w": [1.0, 1.0]}})),
           200, "step")
        return sid

    with attempts.check("create with a 70000-long shape"):
        shape_long = {"optimizer": {"type": "sgd", "lr": 0.1}, "parameters": {"w": {"shape": [1] * depth}}}
        refused(request(server, "POST", "/v1/sessions", json.dumps(shape_long), timeout=5), "long shape")

    with attempts.check("create with depth-70000 nesting"):
        body = '{"optimizer": {"type": "sgd", "lr": 0.1}, "parameters": {"w": ' + nested + "}}"
        refused(request(server, "POST", "/v1/sessions", body, timeout=5), "deep create")

    with attempts.check("restore with a 70000-long shape"):
        sid = session()
        checkpoint = ok(request(server, "GET", f"/v1/sessions/{sid}/checkpoint"), 200, "checkpoint").json()
        check(checkpoint.get("format") == "optd-checkpoint/1", f"checkpoint format {checkpoint.get('format')!r}")
        checkpoint["parameters"][0]["shape"] = [1] * depth
        r = request(server, "POST", "/v1/sessions", json.dumps({"checkpoint": checkpoint}), timeout=5)
        refused(r, "long-shape restore", refusal + ("invalid_checkpoint",))

    with attempts.check("PUT with depth-70000 nesting"):
        sid = session()
        before = snapshot(server, sid)
        body = '{"parameters": {"w": ' + nested + "}}"
        r = request(server, "PUT", f"/v1/sessions/{sid}/parameters", body, timeout=5)
        refused(r, "deep PUT", refusal + ("shape_mismatch",))
        unchanged(server, sid, before, "after the deep PUT")

    for rank in (32, 33, 64):
        with attempts.check(f"rank {rank}"):
            spec = {"optimizer": {"type": "adam", "lr": 0.1}, "parameters": {"w": {"shape": [1] * rank}}}
            r = request(server, "POST", "/v1/sessions", json.dumps(spec), timeout=5)
            if r.status == 422:
                problem(r, 422, "invalid_parameters", f"create with rank {rank}")
                server.notes.append(f"rank {rank}: 422")
                continue
            ok(r, 201, f"create with rank {rank}")
            rid = r.json()["id"]
            p = ok(request(server, "GET", f"/v1/sessions/{rid}/parameters", timeout=5), 200, "GET parameters")
            value = p.json()["parameters"]["w"]
            seen = 0
            while isinstance(value, list) and seen <= rank:
                check(len(value) == 1, f"a dimension of {len(value)} elements")
                value, seen = value[0], seen + 1
            check(seen == rank and value == 0, f"parameters nested {seen} deep, innermost {value!r}")
            c = ok(request(server, "GET", f"/v1/sessions/{rid}/checkpoint", timeout=5), 200, "GET checkpoint")
            ok(request(server, "POST", "/v1/sessions", json.dumps({"checkpoint": c.json()}), timeout=5), 201,
               "restore of its checkpoint")
            server.notes.append(f"rank {rank}: 201, read back and restored")
    attempts.done()


SCHEDULE_ARGUMENTS = {
    # Valid values for every argument a schedule may require (the catalogue says which are).
    "step_size": 10, "gamma": 0.5, "milestones": [10, 20], "t_max": 100, "t_0": 10, "max_lr": 0.1,
    "total_steps": 100,
}


def schedule_spec(entry):
    kind = entry["type"]
    if kind == "sequential":
        return {"type": "sequential", "schedulers": [{"type": "constant"}, {"type": "exponential", "gamma": 0.5}],
                "milestones": [5]}
    spec = {"type": kind}
    for hp in entry.get("hyperparameters", []):
        if hp.get("default") is None and not hp.get("required", True) and hp["name"] in SCHEDULE_ARGUMENTS:
            spec[hp["name"]] = SCHEDULE_ARGUMENTS[hp["name"]]   # one of alternatives (one_cycle's total_steps)
        elif hp.get("required", hp.get("default") is None):
            check(hp["name"] in SCHEDULE_ARGUMENTS,
                  f"schedule {kind}: no valid value known for its required argument {hp['name']!r}")
            spec[hp["name"]] = SCHEDULE_ARGUMENTS[hp["name"]]
    return spec


def case_huge_steps(server):
    """Checkpoints at steps 2e9 and 8e15 with every schedule (from GET /v1/optimizers).

    For each schedule in the catalogue (required arguments filled with valid values) a momentum SGD
    session is created, stepped once and its checkpoint restored with `step` set to 2e9 and to 8e15
    (and an Adam session with its per-parameter `step` state set likewise). The restore must answer
    201 or 422 invalid_checkpoint within 5 s. A restored session's GET must answer 200 in under
    50 ms (the best of three, so that one scheduling hiccup is not blamed on the server), and a
    step must answer 200 or 422 (schedule_exhausted, non_finite_value) within 1 s. The case runs
    with --data-dir; after a restart every restored session must be there and its GET fast again.
    """
    catalogue = ok(request(server, "GET", "/v1/optimizers"), 200, "catalogue").json()
    schedules = catalogue["schedules"]
    check(len(schedules) > 0, "the catalogue lists no schedules")
    attempts = Attempts(server, max_timeouts=len(schedules) + 1)
    restored = []
    outcomes = {}
    slowest = {"get": 0.0, "step": 0.0}
    started = time.monotonic()

    def fast_get(sid, label):
        times = []
        for _ in range(3):
            g = ok(request(server, "GET", f"/v1/sessions/{sid}", timeout=5), 200, f"GET {label}")
            times.append(g.elapsed)
            if g.elapsed <= FAST_GET_S:
                break
        slowest["get"] = max(slowest["get"], min(times))
        check(min(times) <= FAST_GET_S, f"GET took {min(times) * 1000:.0f} ms (best of {len(times)})")
        return g.json()

    for entry, optimizer in [(entry, "sgd") for entry in schedules] + [(schedules[0], "adam")]:
        check(time.monotonic() - started < CASE_DEADLINE_S, attempts.summary() + "; case deadline passed")
        checkpoint = None
        with attempts.check(f"{entry['type']}/{optimizer} set-up"):
            sched = schedule_spec(entry)
            opt = {"type": "sgd", "lr": 0.1, "momentum": 0.9} if optimizer == "sgd" else {"type": "adam", "lr": 0.1}
            base = create(server, {"optimizer": opt, "schedule": sched, "parameters": {"w": [0.5, -0.5]}},
                          f"create with schedule {sched}")
            ok(request(server, "POST", f"/v1/sessions/{base['id']}/step",
                       json.dumps({"gradients": {"w": [1.0, 1.0]}})), 200, "first step")
            checkpoint = ok(request(server, "GET", f"/v1/sessions/{base['id']}/checkpoint"), 200, "checkpoint").json()
        if checkpoint is None:
            continue
        for step in (2_000_000_000, 8_000_000_000_000_000):
            label = f"{entry['type']}/{optimizer} at step {step:.0e}"
            if step > 2_000_000_000 and outcomes.get(label.replace(f"{step:.0e}", "2e+09")) == "timed out":
                outcomes[label] = "not tried"   # after a timeout at 2e9: one restart per schedule
                continue
            outcomes[label] = "timed out"
            with attempts.check(label):
                c = json.loads(json.dumps(checkpoint))
                c["step"] = step
                if optimizer == "adam":
                    for tensors in c["state"].values():
                        if "step" in tensors:
                            tensors["step"] = step
                r = request(server, "POST", "/v1/sessions", json.dumps({"checkpoint": c}), timeout=3)
                outcomes[label] = "restore answered"
                if r.status != 201:
                    problem(r, 422, "invalid_checkpoint", "restore")
                    outcomes[label] = "restore refused"
                    continue
                sid = r.json()["id"]
                restored.append(sid)
                outcomes[label] = "restored"
                summary = fast_get(sid, label)
                check(summary["step"] == step, f"GET says step {summary['step']}")
                s = request(server, "POST", f"/v1/sessions/{sid}/step", json.dumps({"gradients": {"w": [1.0, 1.0]}}),
                            timeout=3)
                slowest["step"] = max(slowest["step"], s.elapsed)
                check(s.elapsed <= STEP_ANSWER_S, f"the step took {s.elapsed * 1000:.0f} ms")
                if s.status == 200:
                    outcomes[label] = "stepped"
                else:
                    problem(s, 422, ("schedule_exhausted", "non_finite_value"), "step")
                    outcomes[label] = s.problem_code()
    # With --data-dir: the restored sessions come back after a restart, and are still fast.
    with attempts.check("restart"):
        server.restart()
        for sid in restored:
            fast_get(sid, f"{sid} after the restart")
    counts = {}
    for v in outcomes.values():
        counts[v] = counts.get(v, 0) + 1
    server.notes.append(f"{len(schedules)} schedules, {len(outcomes)} huge-step restores answered ({counts}); "
                        f"slowest GET {slowest['get'] * 1000:.1f} ms, slowest step {slowest['step'] * 1000:.1f} ms")
    attempts.done()


LONG = [0.5] * 16384    # about 64 KB of JSON


def case_long_arrays(server):
    """A 16384-element array (about 64 KB) in every member of every body.

    Every member (to depth 2, and the checkpoint's to depth 4) of create, PATCH, step, PUT and
    restore bodies, and an unknown member, in turn holds [0.5] * 16384. Each request must answer
    within 0.5 s (it is given 2 s; a request still unanswered restarts the server) with a 4xx
    problem: 400 invalid_json, 413 body_too_large, or 422 with a code that names what is wrong
    (invalid_field, unknown_field, invalid_hyperparameter, unknown_hyperparameter,
    invalid_parameters, shape_mismatch, unknown_parameter, invalid_checkpoint, unknown_schedule,
    unknown_optimizer, empty_step). The one valid body, a create whose parameter holds the 16384
    values, must answer 201. The session targeted by PATCH, step and PUT is unchanged after all.
    """
    codes_422 = ("invalid_field", "unknown_field", "invalid_hyperparameter", "unknown_hyperparameter",
                 "invalid_parameters", "shape_mismatch", "unknown_parameter", "invalid_checkpoint",
                 "unknown_schedule", "unknown_optimizer", "empty_step")
    spec = {"name": "n", "dtype": "float32", "optimizer": {"type": "adam", "lr": 0.01, "betas": [0.9, 0.99]},
            "schedule": {"type": "multi_step", "milestones": [2, 4]}, "clip_grad_norm": {"max_norm": 1.0},
            "param_groups": [{"params": ["b"], "lr": 0.02}], "parameters": {"w": [0.5, -0.5], "b": [0.25]}}
    state = {}

    def setup():
        state["sid"] = sid = create(server, spec)["id"]
        ok(request(server, "POST", f"/v1/sessions/{sid}/step", json.dumps({"gradients": {"w": [1.0, 1.0]}})), 200,
           "step")
        state["checkpoint"] = ok(request(server, "GET", f"/v1/sessions/{sid}/checkpoint"), 200, "checkpoint").json()
        state["before"] = snapshot(server, sid)
        state["pid"] = server.process.pid

    def variants(doc, depth):
        """Every member path down to `depth` (only the first element of arrays), each set to LONG."""
        paths = []

        def walk(node, path):
            if len(path) >= depth:
                return
            items = node.items() if isinstance(node, dict) else [(0, node[0])] if isinstance(node, list) and node else []
            for key, value in items:
                paths.append(path + [key])
                walk(value, path + [key])
        walk(doc, [])
        for path in paths:
            copy = json.loads(json.dumps(doc))
            target = copy
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = LONG
            yield "/".join(map(str, path)), copy
        extra = json.loads(json.dumps(doc))
        extra["unknown_member"] = LONG
        yield "unknown_member", extra

    setup()
    cases = []
    for label, body in variants(spec, 2):
        cases.append(("POST", "/v1/sessions", f"create {label}", body))
    groups = json.loads(json.dumps(spec))
    groups["param_groups"][0]["params"] = ["x%d" % i for i in range(8192)]
    cases.append(("POST", "/v1/sessions", "create param_groups/0/params (8192 unknown names)", groups))
    for label, body in variants({"name": "m", "optimizer": {"lr": 0.02, "betas": [0.9, 0.99]}}, 2):
        cases.append(("PATCH", "/v1/sessions/{sid}", f"PATCH {label}", body))
    for label, body in variants({"gradients": {"w": [1.0, 1.0], "b": [1.0]}}, 2):
        cases.append(("POST", "/v1/sessions/{sid}/step", f"step {label}", body))
    for label, body in variants({"parameters": {"w": [1.0, 1.0], "b": [1.0]}}, 2):
        cases.append(("PUT", "/v1/sessions/{sid}/parameters", f"PUT {label}", body))
    for label, body in variants({"name": "r", "checkpoint": state["checkpoint"]}, 4):
        cases.append(("POST", "/v1/sessions", f"restore {label}", body))

    attempts = Attempts(server, max_timeouts=6)
    slowest = 0.0
    started = time.monotonic()
    for method, path, label, body in cases:
        check(time.monotonic() - started < CASE_DEADLINE_S, attempts.summary() + "; case deadline passed")
        with attempts.check(label):
            if state["pid"] != server.process.pid:
                setup()     # the server was restarted after a timeout
            r = request(server, method, path.format(sid=state["sid"]), json.dumps(body), timeout=2)
            slowest = max(slowest, r.elapsed)
            if label in ("create parameters/w", "create parameters/b"):
                ok(r, 201, label)
            elif r.status == 422:
                problem(r, 422, codes_422, label)
            else:
                problem(r, (400, 413), ("invalid_json", "body_too_large"), label)
            check(r.elapsed <= QUICK_4XX_S, f"{r.status} {r.problem_code()} after {r.elapsed * 1000:.0f} ms")
    with attempts.check("the session after every long-array PATCH, step and PUT"):
        unchanged(server, state["sid"], state["before"], "")
    server.notes.append(f"{len(cases)} requests, slowest {slowest * 1000:.1f} ms")
    attempts.done()


def case_zero_size(server):
    """Zero-size and many-tensor sessions against the 64 MiB budget.

    - ten parameters of shape [10000000, 0]; 200,000 empty tensors with 250-byte names (a 53 MiB
      body); then small sessions created one after another (at most 10,000 or 30 s). Each creation
      must be a 201 or a refusal: 422 (limit_exceeded or invalid_parameters) or 507
      limit_exceeded.
    - of every session created here, GET session, GET parameters (JSON), GET checkpoint and the
      session list must answer at most RESPONSE_BOUND (8 MiB) or be refused with a 4xx/5xx
      problem: a session with no state must not cost a response of tens of megabytes.
    RSS stays within the bound throughout (checked by the harness).
    """
    attempts = Attempts(server, max_timeouts=2)
    created = []

    def try_create(body, label):
        r = request(server, "POST", "/v1/sessions", body, timeout=30)
        if r.status == 201:
            created.append((label, r.json()["id"], server.process.pid))
            server.notes.append(f"{label}: 201 in {r.elapsed * 1000:.0f} ms")
        else:
            if r.status == 507:
                problem(r, 507, "limit_exceeded", label)
            else:
                problem(r, 422, ("limit_exceeded", "invalid_parameters"), label)
            server.notes.append(f"{label}: {r.status} {r.problem_code()} in {r.elapsed * 1000:.0f} ms")

    with attempts.check("10 x [1e7, 0]"):
        spec = {"optimizer": {"type": "adam", "lr": 0.1},
                "parameters": {f"p{i}": {"shape": [10_000_000, 0]} for i in range(10)}}
        try_create(json.dumps(spec), "10 x [1e7, 0]")
    with attempts.check("200000 empty tensors"):
        names = ",".join('{"name": "%s", "shape": [0]}' % (f"{i:08d}" + "n" * 242) for i in range(200_000))
        body = '{"optimizer": {"type": "sgd", "lr": 0.1}, "parameters": [' + names + "]}"
        del names
        try_create(body, f"200000 empty tensors ({len(body) / MIB:.0f} MiB body)")
        del body
    with attempts.check("many small sessions"):
        small = json.dumps({"optimizer": {"type": "adam", "lr": 0.1}, "parameters": {"w": [0.5]}})
        count = 0
        refused = None
        started = time.monotonic()
        while count < 10_000 and time.monotonic() - started < 30:
            r = request(server, "POST", "/v1/sessions", small, timeout=5)
            if r.status != 201:
                refused = r
                break
            count += 1
            if count == 1:
                created.append(("small", r.json()["id"], server.process.pid))
        server.notes.append(f"{count} small sessions in {time.monotonic() - started:.0f} s" +
                            (f", then {refused.status} {refused.problem_code()}" if refused else ", none refused"))
        if refused is not None:
            if refused.status == 507:
                problem(refused, 507, "limit_exceeded", f"small session {count + 1}")
            else:
                problem(refused, 422, "limit_exceeded", f"small session {count + 1}")

    largest = 0
    for label, sid, pid in created:
        if pid != server.process.pid:
            continue    # lost in a restart
        for path in (f"/v1/sessions/{sid}", f"/v1/sessions/{sid}/parameters", f"/v1/sessions/{sid}/checkpoint"):
            with attempts.check(f"{label}: GET {path}"):
                r = request(server, "GET", path, timeout=30, max_bytes=RESPONSE_BOUND)
                largest = max(largest, r.size)
                check(not r.truncated, f"answers more than {RESPONSE_BOUND >> 20} MiB")
                if r.status != 200:
                    check(400 <= r.status < 600 and
                          r.headers.get("content-type", "").startswith("application/problem+json"), f"{r!r}")
    with attempts.check("GET /v1/sessions"):
        r = request(server, "GET", "/v1/sessions", timeout=30, max_bytes=RESPONSE_BOUND)
        largest = max(largest, r.size)
        check(not r.truncated, f"answers more than {RESPONSE_BOUND >> 20} MiB")
    server.notes.append(f"largest GET answered {largest / MIB:.1f} MiB" + (" (read up to the bound)" if largest > RESPONSE_BOUND else ""))
    attempts.done()


def gzip_bomb(prefix, inflated_size, tail=b""):
    """gzip of prefix + spaces + tail, inflating to exactly inflated_size bytes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [compressor.compress(prefix)]
    remaining = inflated_size - len(prefix) - len(tail)
    chunk = b" " * MIB
    while remaining > 0:
        piece = chunk[:min(remaining, MIB)]
        out.append(compressor.compress(piece))
        remaining -= len(piece)
    out.append(compressor.compress(tail))
    out.append(compressor.flush())
    return b"".join(out)


def case_gzip_bombs(server):
    """gzip bombs (~64 KB inflating to 64 MiB) on every body-taking route, one and four at once.

    Routes: create, restore (POST /v1/sessions with a checkpoint prefix), step, PUT parameters,
    PATCH. Two bombs each:
    - over: inflates to --max-body + 4 KiB: must be 413 body_too_large, or 507 limit_exceeded when
      the memory budget runs out before --max-body does (the inflated body is counted as it grows);
    - under: inflates to --max-body - 4 KiB of JSON whitespace and ends in broken JSON: must be
      400 invalid_json, or a refusal of the work: 413 body_too_large, 503 or 507 limit_exceeded.
    Then the five routes' "under" bombs at once, then four "under" creates at once (same
    expectations), each answered within 30 s. The target session is unchanged; RSS and /healthz as
    always.
    """
    routes = [
        ("create", "POST", "/v1/sessions",
         b'{"optimizer": {"type": "sgd", "lr": 0.1}, "parameters": {"w": [1.0]}, "name": '),
        ("restore", "POST", "/v1/sessions",
         b'{"checkpoint": {"format": "optd-checkpoint/1", "dtype": "float32", "step": '),
        ("step", "POST", "/v1/sessions/{sid}/step", b'{"gradients": {"w": [1.0, 1.0]}, '),
        ("PUT", "PUT", "/v1/sessions/{sid}/parameters", b'{"parameters": {"w": [1.0, 1.0]}, '),
        ("PATCH", "PATCH", "/v1/sessions/{sid}", b'{"optimizer": {"lr": 0.5}, '),
    ]
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    over = {label: gzip_bomb(prefix, MAX_BODY + 4096) for label, _, _, prefix in routes}
    under = {label: gzip_bomb(prefix, MAX_BODY - 4096, b'"broken') for label, _, _, prefix in routes}
    sizes = sorted(len(b) for b in list(over.values()) + list(under.values()))
    server.notes.append(f"bombs of {sizes[0] // 1024}-{sizes[-1] // 1024} KiB")
    state = {}

    def setup():
        state["sid"] = create(server, {"optimizer": {"type": "adam", "lr": 0.1}, "parameters": {"w": [0.5, -0.5]}})["id"]
        state["before"] = snapshot(server, state["sid"])
        state["pid"] = server.process.pid

    def expect(r, kind):
        if kind == "over":
            problem(r, (413, 507), ("body_too_large", "limit_exceeded"), kind)
        elif r.status == 400:
            problem(r, 400, "invalid_json", kind)
        elif r.status == 413:
            problem(r, 413, "body_too_large", kind)
        else:
            problem(r, (503, 507), "limit_exceeded", kind)

    def concurrently(jobs):
        answers = [None] * len(jobs)

        def run(i, method, path, body):
            try:
                answers[i] = request(server, method, path, body, headers, timeout=30)
            except OSError as e:
                answers[i] = e
        threads = [threading.Thread(target=run, args=(i,) + job) for i, job in enumerate(jobs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        for answer in answers:
            if isinstance(answer, TimeoutError):
                raise answer
        return answers

    attempts = Attempts(server, max_timeouts=2)
    setup()
    results = []
    for label, method, path, _ in routes:
        for kind, bombs in (("over", over), ("under", under)):
            with attempts.check(f"{label} ({kind})"):
                if state["pid"] != server.process.pid:
                    setup()
                r = request(server, method, path.format(sid=state["sid"]), bombs[label], headers, timeout=30)
                results.append(f"{label}/{kind} {r.status} in {r.elapsed * 1000:.0f} ms")
                expect(r, kind)
    for kind, jobs in (("5 routes at once", [(m, p, under[label]) for label, m, p, _ in routes]),
                       ("4 creates at once", [("POST", "/v1/sessions", under["create"])] * 4)):
        with attempts.check(kind):
            if state["pid"] != server.process.pid:
                setup()
            jobs = [(m, p.format(sid=state["sid"]), b) for m, p, b in jobs]
            answers = concurrently(jobs)
            results.append(f"{kind}: " + " ".join(str(a.status) if isinstance(a, Response) else type(a).__name__
                                                  for a in answers))
            wrong = []
            for i, answer in enumerate(answers):
                try:
                    check(isinstance(answer, Response), f"no answer: {answer!r}")
                    expect(answer, kind)
                except CaseFailure as e:
                    wrong.append(f"request {i + 1}: {e}")
            check(not wrong, "; ".join(wrong))
    with attempts.check("the target session after the bombs"):
        if state["pid"] == server.process.pid:
            unchanged(server, state["sid"], state["before"], "")
    server.notes.append(", ".join(results))
    attempts.done()


def immutable_capable_dir():
    """A fresh directory on a filesystem where chattr +i works, or (None, reason)."""
    if shutil.which("chattr") is None:
        return None, "chattr is not installed"
    reasons = []
    for base in (tempfile.gettempdir(), "/var/tmp", "/dev/shm"):
        if not os.path.isdir(base):
            continue
        root = tempfile.mkdtemp(prefix="optd-adversarial-immutable-", dir=base)
        probe = os.path.join(root, "probe")
        os.mkdir(probe)
        r = subprocess.run(["chattr", "+i", probe], capture_output=True, text=True, timeout=10)
        if r.returncode == 0:
            subprocess.run(["chattr", "-i", probe], capture_output=True, timeout=10)
            os.rmdir(probe)
            return root, None
        reasons.append(f"{base}: {r.stderr.strip() or r.returncode}")
        shutil.rmtree(root, ignore_errors=True)
    return None, "chattr +i fails everywhere (" + "; ".join(reasons) + ")"


def case_persist_failures(server):
    """A DELETE that cannot be written: 500 storage_failure, and the session survives a restart.

    Runs with --data-dir on a filesystem where `chattr +i` works (the temp directory, /var/tmp or
    /dev/shm; SKIP with the reason if none). A session is created and stepped, its directory made
    immutable, and DELETE must answer 500 storage_failure. After `chattr -i` and a restart the
    session must be there with the same step and parameters, step (200) and be deleted (204).
    `chattr -i` always runs (finally).
    """
    spec = {"optimizer": {"type": "adam", "lr": 0.1}, "parameters": {"w": [0.5, -0.5]}}
    sid = create(server, spec)["id"]
    ok(request(server, "POST", f"/v1/sessions/{sid}/step", json.dumps({"gradients": {"w": [1.0, 1.0]}})), 200, "step")
    before = snapshot(server, sid)
    path = os.path.join(server.data_dir, "sessions", sid)
    check(os.path.isdir(path), f"no session directory {path}")
    attempts = Attempts(server)
    try:
        r = subprocess.run(["chattr", "+i", path], capture_output=True, text=True, timeout=10)
        check(r.returncode == 0, f"chattr +i {path}: {r.stderr.strip()}")
        with attempts.check("DELETE of an immutable session directory"):
            r = request(server, "DELETE", f"/v1/sessions/{sid}")
            after = request(server, "GET", f"/v1/sessions/{sid}")
            server.notes.append(f"DELETE {r.status} {r.problem_code()}, then GET {after.status}")
            problem(r, 500, "storage_failure", "DELETE")
    finally:
        subprocess.run(["chattr", "-i", path], capture_output=True, timeout=10)
    with attempts.check("after a restart"):
        server.restart()
        back = snapshot(server, sid)
        check(back["step"] == before["step"] and back["parameters"] == before["parameters"],
              f"step {back['step']} (was {before['step']}), parameters equal: {back['parameters'] == before['parameters']}")
        ok(request(server, "POST", f"/v1/sessions/{sid}/step", json.dumps({"gradients": {"w": [1.0, 1.0]}})), 200,
           "step")
        ok(request(server, "DELETE", f"/v1/sessions/{sid}"), 204, "DELETE")
        server.notes.append("after the restart: there, stepped, deleted")
    attempts.done()


def case_long_work(server):
    """Long work never holds a lock readers wait for: summaries stay fast while checkpoints encode.

    A 500,000-parameter Adam session (a 24 MB checkpoint of about 1.5M numbers, which takes longer
    than the limit below to encode) is stepped once; one thread fetches its checkpoint three times
    while this one reads its summary in a loop. Every summary must answer within FAST_GET_S x 2
    (the checkpoint is encoded outside the session lock, from a copy-on-write copy of the state),
    and a step between the checkpoints must answer (200). /healthz and RSS as always.
    """
    n = 500_000
    sid = create(server, {"optimizer": {"type": "adam", "lr": 0.01}, "parameters": {"w": {"shape": [n]}}})["id"]
    grads = struct.pack("<%df" % n, *([0.5] * n))
    binary = {"Content-Type": "application/octet-stream", "Accept": "application/octet-stream"}
    ok(request(server, "POST", f"/v1/sessions/{sid}/step", grads, binary), 200, "binary step")
    results = {"checkpoints": [], "error": None}

    def fetch():
        try:
            for _ in range(3):
                r = request(server, "GET", f"/v1/sessions/{sid}/checkpoint", timeout=60)
                results["checkpoints"].append((r.status, r.elapsed, r.size))
        except OSError as e:
            results["error"] = e
    worker = threading.Thread(target=fetch)
    worker.start()
    summaries = []
    deadline = time.monotonic() + 30
    while worker.is_alive() and time.monotonic() < deadline:
        g = request(server, "GET", f"/v1/sessions/{sid}")
        check(g.status == 200, f"summary: {g}")
        summaries.append(g.elapsed)
        time.sleep(0.005)
    stepped = request(server, "POST", f"/v1/sessions/{sid}/step", grads, binary)
    worker.join(timeout=60)
    check(results["error"] is None, f"checkpoint fetch: {results['error']}")
    check(len(results["checkpoints"]) == 3 and all(c[0] == 200 for c in results["checkpoints"]),
          f"checkpoints: {results['checkpoints']}")
    ok(stepped, 200, "step after the checkpoints")
    slowest = max(summaries) if summaries else 0.0
    encode = max(c[1] for c in results["checkpoints"])
    server.notes.append(
        f"{len(summaries)} summaries during 3 checkpoints ({results['checkpoints'][0][2] / 1e6:.0f} MB, "
        f"slowest {encode * 1000:.0f} ms): slowest summary {slowest * 1000:.1f} ms")
    check(summaries, "no summary was read while the checkpoints were fetched")
    check(slowest <= 2 * FAST_GET_S, f"a summary took {slowest * 1000:.0f} ms while a checkpoint was encoded")


def floats(raw, dtype):
    fmt = "<%d%s" % (len(raw) // (4 if dtype == "float32" else 8), "f" if dtype == "float32" else "d")
    return struct.unpack(fmt, raw)


def same_values(a, b):
    """Bit-equal, except that any NaN matches any NaN."""
    if len(a) != len(b):
        return False
    return all((math.isnan(x) and math.isnan(y)) or struct.pack("<d", x) == struct.pack("<d", y) for x, y in zip(a, b))


def case_numerics(server):
    """Degenerate schedules are refused; sessions stepped into overflow restore from their checkpoint.

    - one_cycle total_steps 2 pct_start 0.5 and three_phase total_steps 4 pct_start 0.25: 422
      (invalid_hyperparameter or invalid_field) at create: a phase of zero steps divides by zero.
    - sessions stepped into overflow/NaN, float32 and float64 (SGD lr 1e308; exponential gamma
      1e308; Adam eps 0 with zero gradients; RMSprop alpha 2; Rprop step_sizes [5, -5]; the last
      four if accepted at create, else the 422 is recorded): each is stepped 3 times (200, or 422
      non_finite_value), then its own checkpoint (GET .../checkpoint, 200) must restore (201) and
      the restored session's parameters must equal the original's (bits; NaN matches NaN), and so
      must both after one more equal step. What a session can be in, its checkpoint must carry.
    """
    attempts = Attempts(server)
    for label, sched in (("one_cycle 2/0.5", {"type": "one_cycle", "max_lr": 0.1, "total_steps": 2, "pct_start": 0.5}),
                         ("three_phase 4/0.25", {"type": "one_cycle", "max_lr": 0.1, "total_steps": 4,
                                                 "pct_start": 0.25, "three_phase": True})):
        with attempts.check(f"create with {label}"):
            r = request(server, "POST", "/v1/sessions", json.dumps(
                {"optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9}, "schedule": sched,
                 "parameters": {"w": [1.0]}}))
            server.notes.append(f"{label}: {r.status}")
            problem(r, 422, ("invalid_hyperparameter", "invalid_field"), "create")
    variants = [
        ("sgd lr 1e308", {"type": "sgd", "lr": 1e308, "momentum": 0.9}, None, [3.0, -3.0], True),
        ("exponential gamma 1e308", {"type": "sgd", "lr": 1.0}, {"type": "exponential", "gamma": 1e308}, [1.0, 1.0],
         False),
        ("adam eps 0, zero gradients", {"type": "adam", "lr": 0.1, "eps": 0.0}, None, [0.0, 0.0], False),
        ("rmsprop alpha 2", {"type": "rmsprop", "lr": 0.1, "alpha": 2.0}, None, [1.0, -2.0], False),
        ("rprop step_sizes [5, -5]", {"type": "rprop", "lr": 0.1, "step_sizes": [5.0, -5.0]}, None, [1.0, -1.0], False),
    ]
    for label, optimizer, sched, grad, must_accept in variants:
        for dtype in ("float32", "float64"):
            with attempts.check(f"{label} {dtype}"):
                spec = {"dtype": dtype, "optimizer": optimizer, "parameters": {"w": [0.5, -0.5]}}
                if sched:
                    spec["schedule"] = sched
                r = request(server, "POST", "/v1/sessions", json.dumps(spec))
                if r.status == 422 and not must_accept:
                    problem(r, 422, ("invalid_hyperparameter", "invalid_field"), "create")
                    server.notes.append(f"{label} {dtype}: refused at create")
                    continue
                ok(r, 201, "create")
                sid = r.json()["id"]
                statuses = []
                for _ in range(3):
                    s = request(server, "POST", f"/v1/sessions/{sid}/step", json.dumps({"gradients": {"w": grad}}))
                    statuses.append(s.status)
                    if s.status != 200:
                        problem(s, 422, "non_finite_value", "step")
                original = ok(request(server, "GET", f"/v1/sessions/{sid}/parameters", headers=BINARY_ACCEPT), 200,
                              "parameters")
                values = floats(original.body, dtype)
                server.notes.append(f"{label} {dtype}: steps {statuses}, w {values}")
                c = ok(request(server, "GET", f"/v1/sessions/{sid}/checkpoint"), 200, "checkpoint")
                r = request(server, "POST", "/v1/sessions", b'{"checkpoint": ' + c.body + b"}")
                check(r.status == 201, f"restore of its own checkpoint: {r!r}")
                rid = r.json()["id"]
                copy = ok(request(server, "GET", f"/v1/sessions/{rid}/parameters", headers=BINARY_ACCEPT), 200,
                          "parameters")
                check(same_values(values, floats(copy.body, dtype)),
                      f"restored parameters {floats(copy.body, dtype)} != {values}")
                for target in (sid, rid):
                    request(server, "POST", f"/v1/sessions/{target}/step", json.dumps({"gradients": {"w": grad}}))
                a = floats(request(server, "GET", f"/v1/sessions/{sid}/parameters", headers=BINARY_ACCEPT).body, dtype)
                b = floats(request(server, "GET", f"/v1/sessions/{rid}/parameters", headers=BINARY_ACCEPT).body, dtype)
                check(same_values(a, b), f"one more step differs: original {a}, restored {b}")
    attempts.done()


BAD_FLAGS = [
    # (arguments or environment, words the message must contain)
    (["--header-timeout", "1e20"], ["--header-timeout", "86400"]),
    (["--body-timeout", "1e20"], ["--body-timeout", "86400"]),
    (["--keep-alive-timeout", "1e20"], ["--keep-alive-timeout", "86400"]),
    (["--write-timeout", "1e20"], ["--write-timeout", "86400"]),
    (["--shutdown-grace", "1e20"], ["--shutdown-grace", "86400"]),
    (["--shutdown-grace", "86401"], ["--shutdown-grace", "86400"]),
    (["--header-timeout", "nan"], ["--header-timeout"]),
    (["--header-timeout", "inf"], ["--header-timeout"]),
    (["--header-timeout", "0"], ["--header-timeout"]),
    (["--header-timeout", "-1"], ["--header-timeout"]),
    (["--session-idle-timeout", "1e20"], ["--session-idle-timeout", "2592000"]),
    (["--session-idle-timeout", "1e300"], ["--session-idle-timeout"]),
    (["--fsync", "interval=1e20"], ["--fsync", "86400"]),
    (["--max-body", "5GiB"], ["--max-body", "4GiB"]),
    (["--max-body", "99999999999TiB"], ["--max-body"]),
    (["--max-sessions", "9223372036854775807"], ["--max-sessions", "1000000"]),
    (["--max-parameters", "9223372036854775807"], ["--max-parameters", "1000000000000"]),
    (["--memory-budget", "8000TiB"], ["--memory-budget", "1024TiB"]),
    (["--max-connections", "9223372036854775807"], ["--max-connections", "1000000"]),
    (["--busy-poll", "9223372036854775807"], ["--busy-poll", "10000"]),
    (["--port", "65536"], ["--port", "65535"]),
    ({"OPTD_HEADER_TIMEOUT": "1e20"}, ["OPTD_HEADER_TIMEOUT", "86400"]),
    ({"OPTD_SHUTDOWN_GRACE": "1e20"}, ["OPTD_SHUTDOWN_GRACE", "86400"]),
    ({"OPTD_SESSION_IDLE_TIMEOUT": "1e20"}, ["OPTD_SESSION_IDLE_TIMEOUT", "2592000"]),
    ({"OPTD_MAX_BODY": "5GiB"}, ["OPTD_MAX_BODY", "4GiB"]),
    ({"OPTD_MAX_SESSIONS": "99999999999999999999"}, ["OPTD_MAX_SESSIONS"]),
]


def run_flags(args, env_extra, seconds):
    """Runs optd; returns (exit status or None if it kept running, output). Kills it after `seconds`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPTD_")}
    env.update(env_extra)
    process = subprocess.Popen([BINARY, "--port", "0", "--log-level", "notice"] + args, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                               preexec_fn=die_with_parent)
    try:
        out, _ = process.communicate(timeout=seconds)
        return process.returncode, out
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)
        try:
            out, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            out, _ = process.communicate(timeout=10)
        return None, out + f"\n(still running after {seconds} s; exit status {process.returncode} after SIGTERM)"


def case_flags(server):
    """Out-of-range flags and variables are refused; the bounds themselves and a linked --data-dir work.

    Each bad value (BAD_FLAGS) must make optd exit at once with a non-zero status (not a signal)
    and a message naming the flag (or variable) and its bound. The upper bounds themselves
    (86400 s timeouts and grace) must start and stop on SIGTERM with status 0. A --data-dir that
    is a symbolic link to a directory must start, keep a session across a restart, and stop with 0.
    """
    failures = []
    for spec, words in BAD_FLAGS:
        args, env = (spec, {}) if isinstance(spec, list) else ([], spec)
        label = " ".join(args) or " ".join(f"{k}={v}" for k, v in env.items())
        code, out = run_flags(args, env, 3)
        if code is None:
            failures.append(f"{label}: accepted (it started); {out.strip().splitlines()[-1]}")
        elif code < 0 or code >= 128:
            failures.append(f"{label}: killed by signal {-code if code < 0 else code - 128}")
        elif code == 0:
            failures.append(f"{label}: exit status 0")
        else:
            missing = [w for w in words if w not in out]
            if missing:
                failures.append(f"{label}: exit {code}, message lacks {missing}: {out.strip()[:160]!r}")
    bounds = ["--header-timeout", "86400", "--body-timeout", "86400", "--keep-alive-timeout", "86400",
              "--write-timeout", "86400", "--shutdown-grace", "86400", "--session-idle-timeout", "2592000"]
    code, out = run_flags(bounds, {}, 2)
    if code is not None or "exit status 0 after SIGTERM" not in out:
        failures.append(f"the bounds themselves: {out.strip().splitlines()[-1] if out.strip() else code}")
    root = tempfile.mkdtemp(prefix="optd-adversarial-link-")
    try:
        os.mkdir(os.path.join(root, "real"))
        os.symlink(os.path.join(root, "real"), os.path.join(root, "link"))
        linked = Server(data_dir=os.path.join(root, "link"))
        try:
            linked.start()
            sid = create(linked, {"optimizer": {"type": "sgd", "lr": 0.1}, "parameters": {"w": [1.0]}})["id"]
            linked.restart()
            ok(request(linked, "GET", f"/v1/sessions/{sid}"), 200, "the session in a linked --data-dir after a restart")
            code = linked.stop()
            check(code == 0, f"linked --data-dir: exit status {code} on SIGTERM")
        except CaseFailure as e:
            failures.append(f"--data-dir as a symbolic link: {e}")
        finally:
            linked.kill()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    check(not failures, f"{len(failures)} of {len(BAD_FLAGS) + 2} checks: " + "; ".join(failures[:8]))
    return f"{len(BAD_FLAGS)} bad values refused, bounds start and stop, linked --data-dir works"


CASES = [
    ("deep-shapes", case_deep_shapes, {}),
    ("huge-steps", case_huge_steps, {"data_dir": True}),
    ("long-arrays", case_long_arrays, {}),
    ("zero-size", case_zero_size, {}),
    ("gzip-bombs", case_gzip_bombs, {}),
    ("persist-failures", case_persist_failures, {"data_dir": "immutable"}),
    ("numerics", case_numerics, {}),
    ("long-work", case_long_work, {}),
    ("flags", case_flags, {}),
]


def percentile(values, q):
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def run_case(number, name, function, options, root):
    print(f"[{number}] {name}: {function.__doc__.strip().splitlines()[0]}", flush=True)
    started = time.monotonic()
    data_dir = None
    cleanup = None
    if options.get("data_dir") == "immutable":
        base, reason = immutable_capable_dir()
        if base is None:
            print(f"[{number}] {name}: SKIP ({reason})", flush=True)
            return None
        cleanup = base
        data_dir = os.path.join(base, "data")
    elif options.get("data_dir"):
        data_dir = os.path.join(root, name)
    server = Server(data_dir=data_dir)
    problems = []
    returned = None
    try:
        server.start()
        try:
            returned = function(server)
        except CaseFailure as e:
            problems.append(str(e))
        except Exception as e:  # a bug in the case itself, or an answer it could not parse
            problems.append(f"{type(e).__name__}: {e} (at line {e.__traceback__.tb_next.tb_lineno if e.__traceback__.tb_next else '?'})")
        alive = server.alive()
        if not alive:
            problems.append(f"the server died (exit status {server.process.returncode}): {server.log_tail(4)}")
        peak = server.peak_rss() if alive else 0
        health, rss = server.samples()
        latencies = [ms for _, ms, status in health if status == "200"]
        errors = [f"{status} after {ms:.0f} ms" for _, ms, status in health if status != "200"]
        sampled = max((b for _, b in rss), default=0)
        peak = max(peak, sampled)
        p99, worst = percentile(latencies, 0.99), max(latencies, default=0.0)
        if alive and errors:
            problems.append(f"{len(errors)} /healthz probes failed ({errors[0]})")
        if p99 > HEALTH_P99_MS or worst > HEALTH_MAX_MS:
            problems.append(f"/healthz p99 {p99:.1f} ms (limit {HEALTH_P99_MS:.0f}), max {worst:.1f} ms "
                            f"(limit {HEALTH_MAX_MS:.0f})")
        if peak > RSS_LIMIT:
            problems.append(f"peak RSS {peak / MIB:.0f} MiB over {RSS_LIMIT / MIB:.0f} MiB")
        if alive:
            code = server.stop()
            if code != 0:
                problems.append(f"exit status {code} on SIGTERM: {server.log_tail(4)}")
        measures = (f"healthz {len(latencies)} probes p99 {p99:.1f} ms max {worst:.1f} ms, "
                    f"peak RSS {peak / MIB:.0f} MiB, {time.monotonic() - started:.1f} s")
    except CaseFailure as e:
        problems.append(str(e))
        measures = f"{time.monotonic() - started:.1f} s"
    finally:
        figures = "; ".join(server.notes + ([returned] if returned else []))
        server.kill()
        if cleanup:
            subprocess.run(["chattr", "-R", "-i", cleanup], capture_output=True, timeout=30)
            shutil.rmtree(cleanup, ignore_errors=True)
    if problems:
        print(f"[{number}] {name}: FAIL: " + " | ".join(problems), flush=True)
        print(f"[{number}] {name}: ({figures + '; ' if figures else ''}{measures}; log {server.log.name})", flush=True)
        return False
    print(f"[{number}] {name}: ok: {figures}; {measures}", flush=True)
    os.unlink(server.log.name)
    return True


def main():
    global BINARY
    if len(sys.argv) >= 2 and sys.argv[1] == "--probe":
        prober_main(int(sys.argv[2]), int(sys.argv[3]))
        return
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    BINARY = os.path.abspath(sys.argv[1])
    # SIGTERM (a CI time-out) unwinds like a failure: every server is killed on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    wanted = sys.argv[2:]
    root = tempfile.mkdtemp(prefix="optd-adversarial-")
    passed = failed = skipped = 0
    started = time.monotonic()
    print(f"adversarial: {BINARY}, --memory-budget {BUDGET >> 20} MiB, RSS limit {RSS_LIMIT >> 20} MiB "
          f"({RSS_BASE >> 20} MiB + {RATIO} x budget), /healthz p99 <= {HEALTH_P99_MS:.0f} ms, "
          f"max <= {HEALTH_MAX_MS:.0f} ms", flush=True)
    try:
        for number, (name, function, options) in enumerate(CASES, 1):
            if wanted and name not in wanted and str(number) not in wanted:
                continue
            result = run_case(number, name, function, options, root)
            if result is None:
                skipped += 1
            elif result:
                passed += 1
            else:
                failed += 1
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"adversarial: {time.monotonic() - started:.0f} s" + (f", {skipped} skipped" if skipped else ""))
    print(f"adversarial: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
