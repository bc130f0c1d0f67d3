#!/usr/bin/env bash
# Smoke test: walks every endpoint of the v1 contract with curl against a real optd and fails on
# any unexpected status or body.
#
#   scripts/smoke.sh                     build the release binary, start it on a free loopback port, test it
#   OPTD_URL=http://127.0.0.1:8080 scripts/smoke.sh   test an optd that is already running (a container, say)
#   OPTD_AUTH_TOKEN=...                  send this bearer token (for a server started with --auth-token)
#
# Needs curl, python3 and gzip. Every request has a time limit; the whole run takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${OPTD_URL:-}" ]; then
    swift build -c release --product optd >/dev/null
    bin="$(swift build -c release --show-bin-path)/optd"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$bin" --host 127.0.0.1 --port "$port" --log-level warning >"$work/server.log" 2>&1 &
    server_pid=$!
    OPTD_URL="http://127.0.0.1:$port"
fi
base="$OPTD_URL"
auth=()
if [ -n "${OPTD_AUTH_TOKEN:-}" ]; then auth=(-H "Authorization: Bearer $OPTD_AUTH_TOKEN"); fi

for _ in $(seq 1 100); do
    curl -fsS --max-time 1 "$base/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done

checks=0
fail() {
    echo "FAIL: $*" >&2
    [ -f "$work/body" ] && { echo "--- last body:" >&2; head -c 2000 "$work/body" >&2; echo >&2; }
    [ -f "$work/server.log" ] && { echo "--- server log (tail):" >&2; tail -20 "$work/server.log" >&2; }
    exit 1
}

# req EXPECTED_STATUS METHOD PATH [curl args...]: body in $work/body, headers in $work/headers.
req() {
    local expected=$1 method=$2 path=$3
    shift 3
    local status
    status=$(curl -sS --max-time 30 -o "$work/body" -D "$work/headers" -w '%{http_code}' \
        -X "$method" "${auth[@]}" "$@" "$base$path") || fail "$method $path: curl failed"
    [ "$status" = "$expected" ] || fail "$method $path: expected $expected, got $status"
    checks=$((checks + 1))
}

# json PYTHON_EXPRESSION: evaluates the expression with `b` bound to the last JSON body; fails if false.
json() {
    python3 - "$work/body" "$1" <<'EOF' || fail "body check failed: $1"
import json, sys
b = json.load(open(sys.argv[1]))
if not eval(sys.argv[2]):
    sys.exit(1)
EOF
    checks=$((checks + 1))
}

header() { # header NAME: prints the value of a response header of the last request
    grep -i "^$1:" "$work/headers" | head -1 | cut -d' ' -f2- | tr -d '\r'
}

problem() { # problem CODE: the last body is problem+json with this code
    grep -qi '^content-type: application/problem+json' "$work/headers" || fail "expected application/problem+json"
    json "b['code'] == '$1' and b['status'] >= 400 and len(b['detail']) > 0"
}

JSON=(-H 'Content-Type: application/json')

echo "smoke: testing $base"

# Operations.
req 200 GET /healthz; json "b == {'status': 'ok'}"
req 200 GET /readyz; json "b['status'] == 'ok'"
req 200 GET /openapi.yaml; grep -q '^openapi: 3.1' "$work/body" || fail "openapi.yaml not served"
req 200 GET /v1/optimizers
json "{o['type'] for o in b['optimizers']} >= {'sgd','adam','adamw','adagrad','rmsprop','adadelta','adamax','nadam','radam','rprop','lion'}"
json "{s['type'] for s in b['schedules']} >= {'step','multi_step','exponential','cosine_annealing','cosine_annealing_warm_restarts','linear','polynomial','one_cycle','constant','sequential'}"

# Create, read, list.
req 201 POST /v1/sessions "${JSON[@]}" -d '{
  "name": "smoke", "dtype": "float32",
  "optimizer": {"type": "adam", "lr": 0.001},
  "parameters": {"w": [[0.1, -0.2, 0.3], [0.0, 0.5, -0.1]], "b": {"shape": [3], "data": [0.0, 0.0, 0.0]}}
}'
json "b['step'] == 0 and b['parameter_count'] == 9 and [p['name'] for p in b['parameters']] == ['w', 'b']"
json "b['parameters'][1]['offset'] == 6 and b['optimizer']['betas'] == [0.9, 0.999]"
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/body")
[ "$(header Location)" = "/v1/sessions/$id" ] || fail "Location header"
req 200 GET "/v1/sessions/$id"; json "b['id'] == '$id' and b['name'] == 'smoke'"
etag0=$(header ETag); [ -n "$etag0" ] || fail "no ETag"
req 200 GET /v1/sessions; json "'$id' in [s['id'] for s in b['sessions']]"

# A JSON step: the first Adam step moves every parameter by about lr against the gradient's sign.
req 200 POST "/v1/sessions/$id/step" "${JSON[@]}" -d '{"gradients": {"w": [[0.01, 0.02, -0.03], [0.5, 0.1, 0.2]], "b": [0.1, -1.0, 2.0]}}'
json "b['step'] == 1 and abs(b['lr'] - 0.001) < 1e-12 and b['grad_norm'] > 0"
json "abs(b['parameters']['w'][0][0] - 0.099) < 1e-6 and abs(b['parameters']['b'][1] - 0.001) < 1e-6"
etag1=$(header ETag); [ "$etag1" != "$etag0" ] || fail "ETag did not change with a step"

# Bad input changes nothing.
req 422 POST "/v1/sessions/$id/step" "${JSON[@]}" -d '{"gradients": {"w": [1, 2, 3, 4, 5]}}'; problem shape_mismatch
req 422 POST "/v1/sessions/$id/step" "${JSON[@]}" -d '{"gradients": {"nope": [1]}}'; problem unknown_parameter
req 422 POST "/v1/sessions/$id/step" "${JSON[@]}" -d '{"gradients": {"b": [1, 1e39, 1]}}'; problem non_finite_gradient
req 422 POST "/v1/sessions/$id/step" "${JSON[@]}" -d '{"gradients": {}}'; problem empty_step
req 400 POST "/v1/sessions/$id/step" "${JSON[@]}" -d '{"gradients": {"b": [NaN, 1, 1]}}'; problem invalid_json
req 415 POST "/v1/sessions/$id/step" -H 'Content-Type: text/plain' -d 'x'; problem unsupported_media_type
req 422 POST /v1/sessions "${JSON[@]}" -d '{"optimizer": {"type": "adam", "lrr": 1}, "parameters": {"w": [1]}}'
problem unknown_hyperparameter; json "'lr' in b['detail']"
req 422 POST /v1/sessions "${JSON[@]}" -d '{"optimizer": {"type": "adam", "betas": [0.9, 1.2]}, "parameters": {"w": [1]}}'
problem invalid_hyperparameter
req 422 POST /v1/sessions "${JSON[@]}" -d '{"optimizer": {"type": "adamm"}, "parameters": {"w": [1]}}'; problem unknown_optimizer
req 200 GET "/v1/sessions/$id"; json "b['step'] == 1"
[ "$(header ETag)" = "$etag1" ] || fail "a rejected step changed the ETag"

# Conditional requests.
req 304 GET "/v1/sessions/$id/parameters" -H "If-None-Match: $etag1"
req 412 POST "/v1/sessions/$id/step" "${JSON[@]}" -H "If-Match: $etag0" -d '{"gradients": {"b": [1, 1, 1]}}'; problem precondition_failed

# Idempotency: the retry is recognised and not applied again.
req 200 POST "/v1/sessions/$id/step" "${JSON[@]}" -H 'Idempotency-Key: smoke-1' -d '{"gradients": {"b": [1, 1, 1]}}'
json "b['step'] == 2"
req 200 POST "/v1/sessions/$id/step" "${JSON[@]}" -H 'Idempotency-Key: smoke-1' -d '{"gradients": {"b": [1, 1, 1]}}'
json "b['step'] == 2"
req 422 POST "/v1/sessions/$id/step" "${JSON[@]}" -H 'Idempotency-Key: smoke-1' -d '{"gradients": {"b": [2, 2, 2]}}'
problem idempotency_key_reused
req 200 GET "/v1/sessions/$id/parameters"; json "b['step'] == 2 and len(b['parameters']['w']) == 2"

# PATCH, then checkpoint and restore: the restored session continues identically.
req 200 PATCH "/v1/sessions/$id" "${JSON[@]}" -d '{"optimizer": {"lr": 0.0005}}'; json "b['optimizer']['lr'] == 0.0005 and b['lr'] == 0.0005"
req 422 PATCH "/v1/sessions/$id" "${JSON[@]}" -d '{"optimizer": {"type": "sgd"}}'
req 200 GET "/v1/sessions/$id/checkpoint"; json "b['format'] == 'optd-checkpoint/1' and b['step'] == 2 and 'exp_avg' in b['state']['w']"
python3 -c 'import json,sys; print(json.dumps({"checkpoint": json.load(open(sys.argv[1]))}))' "$work/body" >"$work/restore.json"
req 201 POST /v1/sessions "${JSON[@]}" --data-binary @"$work/restore.json"
id2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/body")
step='{"gradients": {"w": [0.3, -0.2, 0.1, 0.0, 0.4, -0.5], "b": [0.25, -0.5, 1.0]}}'
req 200 POST "/v1/sessions/$id/step" "${JSON[@]}" -d "$step"; cp "$work/body" "$work/a.json"
req 200 POST "/v1/sessions/$id2/step" "${JSON[@]}" -d "$step"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(a != b)' "$work/a.json" "$work/body" \
    || fail "restored session diverged from the original"

# gzip request body.
printf '%s' "$step" | gzip -c >"$work/step.gz"
req 200 POST "/v1/sessions/$id/step" "${JSON[@]}" -H 'Content-Encoding: gzip' --data-binary @"$work/step.gz"; json "b['step'] == 4"

# Binary: a float64 session, a binary step and binary parameters back.
req 201 POST /v1/sessions "${JSON[@]}" -d '{"dtype": "float64", "optimizer": {"type": "sgd", "lr": 0.5}, "parameters": [{"name": "x", "shape": [4]}]}'
idb=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/body")
python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack("<4d", 1, 2, 3, 4))' >"$work/g.bin"
req 200 POST "/v1/sessions/$idb/step" -H 'Content-Type: application/octet-stream' --data-binary @"$work/g.bin"
[ "$(header Optd-Step)" = "1" ] || fail "Optd-Step header"
python3 -c 'import struct,sys; v=struct.unpack("<4d", open(sys.argv[1],"rb").read()); sys.exit(v != (-0.5, -1.0, -1.5, -2.0))' "$work/body" \
    || fail "binary step result"
req 422 POST "/v1/sessions/$idb/step" -H 'Content-Type: application/octet-stream' --data-binary 'abc'; problem shape_mismatch
req 200 GET "/v1/sessions/$idb/parameters" -H 'Accept: application/octet-stream'
[ "$(wc -c <"$work/body")" = "32" ] || fail "binary parameters size"

# 16 MiB: a 4M-element float32 parameter started at zeros, set by a binary PUT, stepped in binary.
req 201 POST /v1/sessions "${JSON[@]}" -d '{"optimizer": {"type": "sgd", "lr": 1.0}, "parameters": {"big": {"shape": [2048, 2048]}}}'
idl=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/body")
python3 -c 'import sys,array; sys.stdout.buffer.write(array.array("f", [1.0]) * (2048*2048))' >"$work/ones.bin"
req 200 PUT "/v1/sessions/$idl/parameters" -H 'Content-Type: application/octet-stream' -H 'Prefer: return=minimal' --data-binary @"$work/ones.bin"
start=$(date +%s%N)
req 200 POST "/v1/sessions/$idl/step" -H 'Content-Type: application/octet-stream' --data-binary @"$work/ones.bin"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
python3 -c 'import sys,array; a=array.array("f"); a.frombytes(open(sys.argv[1],"rb").read()); sys.exit(len(a) != 2048*2048 or a[0] != 0.0 or a[-1] != 0.0)' "$work/body" \
    || fail "16 MiB binary step result"
echo "smoke: 16 MiB binary step round trip took ${elapsed_ms} ms"

# Metrics, errors of the HTTP layer, deletion.
req 200 GET /metrics
grep -q '^optd_http_requests_total{' "$work/body" || fail "metrics: optd_http_requests_total"
grep -q '^optd_sessions ' "$work/body" || fail "metrics: optd_sessions"
req 404 GET /v1/nothing-here; problem not_found
req 405 DELETE /v1/sessions; problem method_not_allowed
[ -n "$(header Allow)" ] || fail "405 without Allow"
req 204 DELETE "/v1/sessions/$id"
req 404 GET "/v1/sessions/$id"; problem session_not_found
for s in "$id2" "$idb" "$idl"; do req 204 DELETE "/v1/sessions/$s"; done

# Configuration the binary refuses (only when this script started it).
if [ -n "$server_pid" ]; then
    for bad in "--busy-poll=-1" "--busy-poll 20000" "--port 70000" "--max-body 12XB"; do
        # shellcheck disable=SC2086 # each case is a flag and its value
        if "$bin" $bad --check-health >"$work/bad.txt" 2>&1; then fail "optd $bad was accepted"; fi
        grep -qi "error" "$work/bad.txt" || fail "optd $bad: no error message"
        checks=$((checks + 1))
    done
fi

echo "smoke: $checks passed, 0 failed"
