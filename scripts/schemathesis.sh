#!/usr/bin/env bash
# Property-based API tests: schemathesis generates requests from openapi.yaml and checks that the
# live server answers every one as the spec says (no 5xx, documented statuses, content types,
# headers and response schemas). Starts the release binary on a free loopback port unless OPTD_URL
# is set. Needs `pip install schemathesis` (.ci/run installs it).
#
#   scripts/schemathesis.sh [extra st-run options]
set -euo pipefail
cd "$(dirname "$0")/.."

server_pid=""
log=$(mktemp)
cleanup() {
    if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -f "$log"
}
trap cleanup EXIT

if [ -z "${OPTD_URL:-}" ]; then
    swift build -c release --product optd >/dev/null
    bin="$(swift build -c release --show-bin-path)/optd"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    # A small parameter cap keeps generated sessions cheap; the limit's 4xx is part of the spec.
    "$bin" --host 127.0.0.1 --port "$port" --log-level error --max-parameters 100000 >"$log" 2>&1 &
    server_pid=$!
    OPTD_URL="http://127.0.0.1:$port"
    for _ in $(seq 1 100); do curl -fsS --max-time 1 "$OPTD_URL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
fi

# The hooks send requests to live sessions with bodies that fit them, and decode binary responses
# so that their schema is checked too (see the file's docstring).
export OPTD_URL
export SCHEMATHESIS_HOOKS="${SCHEMATHESIS_HOOKS:-scripts/schemathesis_hooks.py}"
st run openapi.yaml --url "$OPTD_URL" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection \
    --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-60}" \
    --request-timeout 10 \
    --max-time "${SCHEMATHESIS_MAX_TIME:-300}" \
    --suppress-health-check all \
    --seed "${SCHEMATHESIS_SEED:-20261124}" \
    "$@"
