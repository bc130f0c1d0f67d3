#!/usr/bin/env bash
# Server CPU time per 1k-parameter Adam JSON step (perf stat task-clock over wrk -c1 for 4 s), for two
# optd binaries alternated: a figure less sensitive than steps/s to how the VM schedules threads.
# Busy polling is off in both (it spends CPU by design).
#   scripts/bench/cpu_per_step.sh BINARY_A BINARY_B [ROUNDS]
# Loopback only; needs wrk and perf.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${3:-3}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
run() { # binary
    local port pid id out requests ms
    port=$(free_port)
    "$1" --port "$port" --log-level error --busy-poll 0 & pid=$!
    for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
    id=$(curl -fsS "http://127.0.0.1:$port/v1/sessions" -H 'Content-Type: application/json' \
        -d '{"optimizer":{"type":"adam"},"parameters":{"w":{"shape":[1000]}}}' |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    out=$(mktemp)
    perf stat -e task-clock -p "$pid" -o "$out" -- sleep 4.5 &
    local perf_pid=$!
    sleep 0.2
    requests=$(OPTD_SESSION_PATH="/v1/sessions/$id" wrk -t1 -c1 -d4s -s scripts/bench/step_json.lua \
        "http://127.0.0.1:$port" | awk '/requests in/ {print $1}')
    wait "$perf_pid"
    ms=$(awk '/task-clock/ {gsub(",", "", $1); print $1}' "$out")
    rm -f "$out"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    python3 -c "print('$1: %d steps, server CPU %.1f us per step' % ($requests, $ms * 1000 / $requests))"
}
for _ in $(seq 1 "$rounds"); do run "$1"; run "$2"; done
