#!/usr/bin/env bash
# Builds a libFuzzer target and runs it.
# Usage: Fuzz/run.sh [http|json] [seconds]   (default target http, default 600 s; extra libFuzzer flags via
#        FUZZ_FLAGS). `Fuzz/run.sh 600` still runs the HTTP parser target.
#   http: MicroHTTP's request parser (FuzzParser.swift), seeds Fuzz/corpus, dictionary http.dict
#   json: FastJSON's reader (FuzzJSON.swift), seeds Fuzz/corpus-json, dictionary json.dict
# Output: Fuzz/.build/fuzz-parser or fuzz-json (binary), Fuzz/.build/corpus or corpus-json (grown corpus),
# crashes in fuzz-artifacts/ at the repository root (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
target=http
if [[ $# -gt 0 && ! "$1" =~ ^[0-9]+$ ]]; then
    target="$1"
    shift
fi
seconds="${1:-600}"
out=Fuzz/.build
mkdir -p "$out" fuzz-artifacts
case "$target" in
http)
    binary="$out/fuzz-parser"
    seeds=Fuzz/corpus
    corpus="$out/corpus"
    dict=Fuzz/http.dict
    max_len=2048
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
        Fuzz/FuzzParser.swift
    )
    module=MicroHTTPFuzz
    ;;
json)
    binary="$out/fuzz-json"
    seeds=Fuzz/corpus-json
    corpus="$out/corpus-json"
    dict=Fuzz/json.dict
    max_len=4096
    mapfile -t sources < <(find Sources/FastJSON -name '*.swift' | sort)
    sources+=(Fuzz/FuzzJSON.swift)
    module=FastJSONFuzz
    ;;
*)
    echo "usage: Fuzz/run.sh [http|json] [seconds]" >&2
    exit 2
    ;;
esac
mkdir -p "$corpus"
cp -n "$seeds"/* "$corpus/" 2>/dev/null || true
swiftc -sanitize=fuzzer,address -O -g -parse-as-library -module-name "$module" -package-name optd \
    "${sources[@]}" -o "$binary"
"$binary" "$corpus" -dict="$dict" -max_len="$max_len" -max_total_time="$seconds" -timeout=10 \
    -artifact_prefix=fuzz-artifacts/ -print_final_stats=1 ${FUZZ_FLAGS:-}
