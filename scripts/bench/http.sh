#!/usr/bin/env bash
# MicroHTTP benchmarks (BENCHMARKS.md "MicroHTTP"): wrk keep-alive rates for GET /hello and an
# 87-byte JSON POST /echo at 1 and 64 connections, 16 MiB curl uploads (curl's default headers, so
# Expect: 100-continue), RSS with 1000 idle connections, EMFILE survival and SIGTERM exit.
# Usage: scripts/bench/http.sh [seconds-per-wrk-run] [port]   (port 0, the default, picks a free one)
# Only 127.0.0.1 is contacted; every run is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs="${1:-10}"
port="${2:-0}"
here=scripts/bench

swift build -c release --package-path Benchmarks --product http-bench-server >/dev/null
bin="$(swift build -c release --package-path Benchmarks --show-bin-path)/http-bench-server"

start_server() {  # $1 = port (0 = any free one), $2 = optional ulimit -n. Sets $server_pid, $server_port.
    local log=/tmp/http-bench-server.$$.$RANDOM.log
    : >"$log"
    if [ -n "${2:-}" ]; then
        ( ulimit -n "$2"; exec "$bin" "$1" 127.0.0.1 ) >"$log" 2>&1 &
    else
        "$bin" "$1" 127.0.0.1 >"$log" 2>&1 &
    fi
    server_pid=$!
    server_log=$log
    for _ in $(seq 100); do
        server_port=$(sed -n 's/^http-bench-server listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$log" || true)
        if [ -n "$server_port" ] && curl -s -o /dev/null "http://127.0.0.1:$server_port/hello"; then return 0; fi
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "server did not start:" >&2
    cat "$log" >&2
    return 1
}
stop_server() {
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
}

echo "== machine: $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
start_server "$port"
port=$server_port
trap stop_server EXIT

echo "== RSS with 1000 idle connections (fresh server)"
python3 "$here/http-idle.py" "$port" "$server_pid" 1000

# Three runs per configuration; prints each run's rate, p50 and p99 and the median rate.
run_wrk() {  # $1 label, rest: wrk arguments
    local label="$1"
    shift
    local rates=()
    for run in 1 2 3; do
        out=$(wrk --latency "$@")
        rate=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
        p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
        p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
        echo "  $label run $run: $rate req/s, p50 $p50, p99 $p99"
        rates+=("$rate")
    done
    median=$(printf '%s\n' "${rates[@]}" | sort -n | sed -n 2p)
    echo "$label: median $median req/s"
}

echo "== wrk keep-alive, ${secs}s per run"
run_wrk "GET /hello -t1 -c1" -t1 -c1 -d"${secs}s" "http://127.0.0.1:$port/hello"
run_wrk "GET /hello -t2 -c64" -t2 -c64 -d"${secs}s" "http://127.0.0.1:$port/hello"
run_wrk "POST /echo 87 B JSON -t1 -c1" -t1 -c1 -d"${secs}s" -s "$here/http-post.lua" "http://127.0.0.1:$port/echo"
run_wrk "POST /echo 87 B JSON -t2 -c64" -t2 -c64 -d"${secs}s" -s "$here/http-post.lua" "http://127.0.0.1:$port/echo"
echo "== 16 MiB POST with curl defaults (Expect: 100-continue), 7 runs: time_total in s"
blob=$(mktemp)
head -c 16777216 /dev/urandom >"$blob"
for path in echo upload; do
    times=$(for _ in $(seq 7); do
        curl -s -o /dev/null -w "%{time_total}\n" --data-binary @"$blob" "http://127.0.0.1:$port/$path"
    done | sort -n | tr '\n' ' ')
    echo "/$path: $times(median = 4th)"
done
rm -f "$blob"
echo "server RSS after the uploads: $(grep VmRSS /proc/$server_pid/status)"

echo "== wrk GET /hello, Connection: close, c64 (last: it leaves many sockets in TIME_WAIT)"
wrk -t2 -c64 -d"${secs}s" -H "Connection: close" "http://127.0.0.1:$port/hello" | grep -E "Requests/sec"

echo "== SIGTERM: graceful exit"
stop_server
trap - EXIT
grep -E "stopped" "$server_log" || true

echo "== EMFILE: server under ulimit -n 64, 80 clients, then a normal request"
start_server 0 64
trap stop_server EXIT
python3 - "$server_port" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
socks = []
for _ in range(80):
    try:
        socks.append(socket.create_connection(("127.0.0.1", port), timeout=2))
    except OSError as e:
        print("connect failed:", e)
time.sleep(0.5)
for s in socks:
    s.close()
time.sleep(0.5)
s = socket.create_connection(("127.0.0.1", port), timeout=2)
s.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
print("after EMFILE pressure:", s.recv(4096).split(b"\r\n")[0].decode())
PY
trap - EXIT
kill -TERM "$server_pid"
wait "$server_pid" && echo "exit code after SIGTERM: 0" || echo "exit code after SIGTERM: $?"
echo "accept backoff log lines: $(grep -c "accept failed" "$server_log")"
