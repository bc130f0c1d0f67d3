#!/usr/bin/env bash
# A/B of two optd binaries on the same workloads, alternated to spread machine noise over both:
# 1-connection 1k-parameter JSON steps (wrk, 4 s) and a 10M-parameter binary step (median of 7).
#   scripts/bench/ab.sh BINARY_A BINARY_B [ROUNDS]
# Loopback only; needs wrk and numpy.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${3:-3}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
run() { # binary
    local port pid id rate binary
    port=$(free_port)
    "$1" --port "$port" --log-level error & pid=$!
    for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
    id=$(curl -fsS "http://127.0.0.1:$port/v1/sessions" -H 'Content-Type: application/json' \
        -d '{"optimizer":{"type":"adam"},"parameters":{"w":{"shape":[1000]}}}' |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    rate=$(OPTD_SESSION_PATH="/v1/sessions/$id" wrk -t1 -c1 -d4s -s scripts/bench/step_json.lua "http://127.0.0.1:$port" |
        awk '/Requests\/sec/ {print $2}')
    binary=$(python3 scripts/bench/binary_step.py "http://127.0.0.1:$port" 10000000 7)
    kill "$pid"; wait "$pid" 2>/dev/null || true
    echo "$1: c1 $rate steps/s; $binary"
}
for _ in $(seq 1 "$rounds"); do run "$1"; run "$2"; done
