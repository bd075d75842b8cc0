#!/usr/bin/env bash
# Builds the libFuzzer target for the IDX parser and gunzip (fuzz/idx/FuzzIDX.swift) with
# address sanitizer and runs it for FUZZ_SECONDS (default 60) seconds.
#
# Only Sources/Datasets/{DatasetError,Gzip,IDX}.swift go in: they import nothing but
# Foundation and CZlib, so no package build (Crypto, MatrixCore) is needed.
# Outputs: fuzz/out/idx/fuzz-idx (binary), fuzz/out/idx/corpus (inputs found, seeded from
# fuzz/idx/corpus, which is not written to), fuzz/out/idx/crash-* (findings, if any).
set -euo pipefail
cd "$(dirname "$0")/.."

out=fuzz/out/idx
mkdir -p "$out/corpus"
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name IDXFuzz \
    -I Sources/CZlib \
    Sources/Datasets/DatasetError.swift Sources/Datasets/Gzip.swift Sources/Datasets/IDX.swift \
    fuzz/idx/FuzzIDX.swift \
    -lz -o "$out/fuzz-idx"

export SWIFT_BACKTRACE=enable=no  # a crash must end the run, not wait in the backtracer
exec "$out/fuzz-idx" \
    -max_total_time="${FUZZ_SECONDS:-60}" \
    -max_len="${FUZZ_MAX_LEN:-4096}" \
    -dict=fuzz/idx/idx.dict \
    -print_final_stats=1 \
    -artifact_prefix="$out/" \
    "$@" \
    "$out/corpus" fuzz/idx/corpus
