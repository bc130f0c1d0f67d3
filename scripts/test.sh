#!/usr/bin/env bash
# The project's one test command (README "Quick start"): every test the project has.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build
