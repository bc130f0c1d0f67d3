#!/usr/bin/env bash
# Builds the real Dockerfile, runs the image, and checks it: the curl smoke test against it, a
# non-root user, a passing health check, `stop` ending it with exit code 0 within 10 s, and the
# image size. Uses `docker` where a Docker engine answers; otherwise podman with local stand-ins
# for the base images from ../shared/tools/container-env.sh (machines without a registry).
#
#   scripts/container-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

image=optd:test
name="optd-test-$$"
build_args=()
if docker info >/dev/null 2>&1; then
    engine=docker
elif [ -f ../shared/tools/container-env.sh ]; then
    # Sourced in a `||` list: the script's own `set -e` must not end this one at its optional
    # look-ups (its git mirror probe exits non-zero when no global insteadOf is configured).
    # shellcheck source=/dev/null
    source ../shared/tools/container-env.sh || { echo "container-test: container-env.sh failed" >&2; exit 1; }
    engine=$PODMAN
    # The stand-in swift image gets the toolchain and the package mirror mounted at build time.
    # Docker image format: OCI images have no HEALTHCHECK.
    read -r -a build_args <<<"$SWIFT_BUILD_MOUNTS --network=host --format docker"
else
    echo "container-test: neither a Docker engine nor ../shared/tools/container-env.sh is available" >&2
    exit 1
fi

cleanup() { $engine rm -f "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT

echo "container-test: building $image with ${engine%% *}"
start=$(date +%s)
$engine build "${build_args[@]}" -t "$image" . >/tmp/optd-container-build.log 2>&1 || {
    tail -40 /tmp/optd-container-build.log >&2
    exit 1
}
echo "container-test: built in $(($(date +%s) - start)) s"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
if [ "$engine" = docker ]; then
    $engine run -d --name "$name" -p "127.0.0.1:$port:8080" "$image" >/dev/null
else
    # Host networking (no CNI here); the listening port comes from the environment, as users set it.
    $engine run -d --name "$name" --network=host -e OPTD_PORT="$port" "$image" >/dev/null
fi

ready=no
for _ in $(seq 1 100); do
    if curl -fsS --max-time 1 "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then ready=yes; break; fi
    sleep 0.1
done
[ "$ready" = yes ] || { $engine logs "$name" >&2; echo "container-test: the container never became ready" >&2; exit 1; }

uid=$($engine exec "$name" id -u)
[ "$uid" != 0 ] || { echo "container-test: the service runs as root" >&2; exit 1; }
echo "container-test: runs as uid $uid"

if [ "$engine" = docker ]; then
    status=starting
    for _ in $(seq 1 60); do
        status=$(docker inspect --format '{{.State.Health.Status}}' "$name")
        [ "$status" = healthy ] && break
        sleep 0.5
    done
    [ "$status" = healthy ] || { echo "container-test: health check is $status" >&2; exit 1; }
else
    $engine healthcheck run "$name" || { echo "container-test: health check failed" >&2; exit 1; }
fi
echo "container-test: health check passes"

OPTD_URL="http://127.0.0.1:$port" scripts/smoke.sh

start=$(date +%s%N)
$engine stop -t 10 "$name" >/dev/null
stop_ms=$((($(date +%s%N) - start) / 1000000))
code=$($engine inspect --format '{{.State.ExitCode}}' "$name")
[ "$code" = 0 ] || { $engine logs "$name" | tail -20 >&2; echo "container-test: exit code $code after stop" >&2; exit 1; }
[ "$stop_ms" -lt 10000 ] || { echo "container-test: stop took ${stop_ms} ms" >&2; exit 1; }
echo "container-test: stop ended it with exit code 0 in ${stop_ms} ms"

size=$($engine image inspect --format '{{.Size}}' "$image")
echo "container-test: image size $((size / 1024 / 1024)) MiB ($size bytes)"
echo "container-test: 1 passed, 0 failed"
