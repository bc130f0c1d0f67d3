#!/usr/bin/env bash
# Service benchmarks of BENCHMARKS.md, in one command on loopback:
#   1. a 1k-parameter float32 Adam JSON step (the reply carries all parameters) with wrk at 1 and 16
#      connections, against optd, optd with --busy-poll 0, and the Python reference (http.server +
#      orjson + torch);
#   2. the end-to-end time of a binary step with 1M and 10M float32 parameters, and the in-process
#      core time of the same step (core-bench).
# Needs wrk, numpy, orjson and torch (pip). Every wrk run lasts DURATION seconds (default 10).
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${DURATION:-10}
swift build -c release --product optd >/dev/null
bin="$(swift build -c release --show-bin-path)/optd"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

port=$(free_port)
"$bin" --port "$port" --log-level error & pids+=($!)
# The same binary without busy polling, for the ratio in the same command.
nopoll_port=$(free_port)
"$bin" --port "$nopoll_port" --log-level error --busy-poll 0 & pids+=($!)
py_port=$(free_port)
python3 scripts/bench/python_baseline.py "$py_port" & pids+=($!)
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
sleep 2  # the Python server imports torch

create() { # base-url: a 1k-parameter Adam session's id
    curl -fsS "$1/v1/sessions" -H 'Content-Type: application/json' \
        -d '{"optimizer": {"type": "adam", "lr": 0.001}, "parameters": {"w": {"shape": [1000]}}}' |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$nopoll_port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
session=$(create "http://127.0.0.1:$port")
nopoll_session=$(create "http://127.0.0.1:$nopoll_port")

run_wrk() { # name url-base path threads connections
    local out
    out=$(OPTD_SESSION_PATH="$3" wrk -t"$4" -c"$5" -d"${duration}s" --latency -s scripts/bench/step_json.lua "$2")
    printf '%-8s c=%-3s %10s req/s   p50 %8s   p99 %8s\n' "$1" "$5" \
        "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
        "$(echo "$out" | awk '$1 == "50%" {print $2}')" "$(echo "$out" | awk '$1 == "99%" {print $2}')"
}
echo "== 1k-parameter float32 Adam JSON step, wrk ${duration}s"
run_wrk optd "http://127.0.0.1:$port" "/v1/sessions/$session" 1 1
run_wrk optd "http://127.0.0.1:$port" "/v1/sessions/$session" 2 16
run_wrk no-poll "http://127.0.0.1:$nopoll_port" "/v1/sessions/$nopoll_session" 1 1
run_wrk no-poll "http://127.0.0.1:$nopoll_port" "/v1/sessions/$nopoll_session" 2 16
run_wrk python "http://127.0.0.1:$py_port" "/v1/sessions/base" 1 1
run_wrk python "http://127.0.0.1:$py_port" "/v1/sessions/base" 2 16

echo "== binary step end to end (median of 21)"
python3 scripts/bench/binary_step.py "http://127.0.0.1:$port" 1000000 21
python3 scripts/bench/binary_step.py "http://127.0.0.1:$port" 10000000 21

echo "== the same Adam step in process (core-bench; gradients already in memory)"
flags=()
[ "$(uname -m)" = x86_64 ] && flags=(-Xswiftc -target-cpu -Xswiftc haswell)
swift run -c release "${flags[@]}" --package-path Benchmarks core-bench --only adam --sizes 1000000,10000000 --no-torch 2>/dev/null |
    grep -E '^(optimizer|adam) '
