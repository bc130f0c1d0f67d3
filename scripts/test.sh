#!/usr/bin/env bash
# The project's one test command (README, "Quick start"): every unit and live-server test
# (`swift test`), then the curl smoke test against the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
mkdir -p .build
swift test --skip-build 2>&1 | tee .build/swift-test.log
scripts/smoke.sh
