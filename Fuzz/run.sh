#!/usr/bin/env bash
# Builds the libFuzzer target for MicroHTTP's request parser and runs it.
# Usage: Fuzz/run.sh [seconds]   (default 600; extra libFuzzer flags via FUZZ_FLAGS)
# Output: Fuzz/.build/fuzz-parser (binary), Fuzz/.build/corpus (grown corpus), crashes in
# fuzz-artifacts/ at the repository root (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
out=Fuzz/.build
mkdir -p "$out/corpus" fuzz-artifacts
cp -n Fuzz/corpus/* "$out/corpus/" 2>/dev/null || true
sources=(
    Sources/MicroHTTP/Parsing/HTTPRequestParser.swift
    Sources/MicroHTTP/Parsing/HTTPRequestHead.swift
    Sources/MicroHTTP/Parsing/HTTPParserError.swift
    Sources/MicroHTTP/Parsing/HTTPSyntax.swift
    Sources/MicroHTTP/Parsing/InputBuffer.swift
    Sources/MicroHTTP/HTTPHeaders.swift
    Sources/MicroHTTP/HTTPMethod.swift
    Sources/MicroHTTP/HTTPVersion.swift
    Sources/MicroHTTP/HTTPStatus.swift
)
swiftc -sanitize=fuzzer,address -O -g -parse-as-library -module-name MicroHTTPFuzz -package-name optd \
    "${sources[@]}" Fuzz/FuzzParser.swift -o "$out/fuzz-parser"
"$out/fuzz-parser" "$out/corpus" -dict=Fuzz/http.dict -max_len=2048 -max_total_time="$seconds" \
    -artifact_prefix=fuzz-artifacts/ -print_final_stats=1 ${FUZZ_FLAGS:-}
