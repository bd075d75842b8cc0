#!/usr/bin/env bash
# Builds the libFuzzer target for the parameters-file parser (fuzz/params/FuzzParams.swift)
# with address sanitizer and runs it for FUZZ_SECONDS (default 60) seconds.
#
# No package build: only what Parameters.swift needs is compiled, as five small modules,
#   CYaml       libyaml's C sources (clang, -fsanitize=fuzzer-no-link,address), objects only
#   Yams        Yams' Swift sources                               (instrumented for the fuzzer)
#   RealModule  swift-numerics' RealModule                        (not instrumented)
#   MatrixCore  Sources/MatrixCore/SeededGenerator.swift and Sources/MatrixCore/Pointwise.swift
#               (what Activation/Initializer.swift use, without BLAS) (not instrumented)
#   NeuralNet   Sources/NeuralNet/{Activation,Initializer}.swift  (instrumented)
# then Sources/Experiments/{Parameters,YAMLFields}.swift with the driver into the binary.
# Each step is skipped when its output is newer than its inputs and this script.
#
# Yams and swift-numerics come from .build/checkouts (`swift package resolve` runs when they
# are missing). Outputs, all under fuzz/out/params/: fuzz-params (binary), build/ (objects,
# modules), corpus/ (a copy of fuzz/params/corpus, which is never written to, plus the inputs
# the fuzzer adds), crash-*, timeout-*, oom-* (findings, if any). Extra arguments go to
# libFuzzer. libFuzzer exits 0 when the time is up and non-zero when it finds something (77 for
# a crash or failed check, 70 for a timeout, 71 for running out of memory), and so does this
# script; a failed build exits non-zero too. To replay a finding (same environment):
#   SWIFT_BACKTRACE=enable=no fuzz/out/params/fuzz-params fuzz/out/params/crash-...
set -euo pipefail
script=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
cd "$(dirname "$script")/.."

checkouts=.build/checkouts
if [[ ! -d $checkouts/Yams/Sources/CYaml || ! -d $checkouts/swift-numerics/Sources/RealModule ]]; then
    swift package resolve
fi
yams=$checkouts/Yams/Sources
numerics=$checkouts/swift-numerics/Sources

out=fuzz/out/params
build=$out/build
mkdir -p "$out/corpus" "$build/modules" "$build/cyaml"
cp -f fuzz/params/corpus/* "$out/corpus/"

# stale OUTPUT INPUT...: true when OUTPUT is missing or older than an input (or this script).
stale() {
    local target=$1; shift
    [[ -e $target ]] || return 0
    local f
    for f in "$@" "$script"; do [[ $f -nt $target ]] && return 0; done
    return 1
}

started=$SECONDS
swift_flags=(-parse-as-library -O -wmo -swift-version 5 -I "$build/modules")

# module NAME SANITIZERS [FLAG...] -- FILE...: compiles one Swift module to an object and a
# .swiftmodule under $build. Modules are built in dependency order; once one is rebuilt, every
# later one is too (it may import it).
rebuilt=0
module() {
    local name=$1 sanitizers=$2; shift 2
    local extra=()
    while [[ $1 != -- ]]; do extra+=("$1"); shift; done
    shift
    if (( rebuilt )) || stale "$build/$name.o" "$@"; then
        rebuilt=1
        echo "building $name"
        swiftc "${swift_flags[@]}" ${sanitizers:+-sanitize="$sanitizers"} "${extra[@]}" -module-name "$name" \
            -emit-module -emit-module-path "$build/modules/$name.swiftmodule" \
            -c "$@" -o "$build/$name.o"
        touch "$build/$name.o"  # swiftc leaves an object whose code did not change untouched
    fi
}

cyaml_objects=()
for c in "$yams"/CYaml/src/*.c; do
    o=$build/cyaml/$(basename "${c%.c}").o
    cyaml_objects+=("$o")
    if stale "$o" "$c" "$yams"/CYaml/src/yaml_private.h "$yams"/CYaml/include/yaml.h; then
        echo "building CYaml/$(basename "$c")"
        clang -fsanitize=fuzzer-no-link,address -O1 -g -DYAML_DECLARE_STATIC \
            -I "$yams/CYaml/include" -c "$c" -o "$o"
    fi
done

# Not under test, so not instrumented: RealModule, and a MatrixCore of the real
# SeededGenerator.swift and Pointwise.swift (each needs only RealModule), instead
# of the real module with its BLAS and C kernels.
numerics_shims=(-I "$numerics/_NumericsShims/include")
module RealModule "" "${numerics_shims[@]}" -- "$numerics"/RealModule/*.swift
module MatrixCore "" "${numerics_shims[@]}" -- \
    Sources/MatrixCore/SeededGenerator.swift Sources/MatrixCore/Pointwise.swift
# Parameters.swift needs only Activation/Initializer(name:) and their names from NeuralNet.
module NeuralNet fuzzer,address "${numerics_shims[@]}" -- \
    Sources/NeuralNet/Activation.swift Sources/NeuralNet/Initializer.swift

module Yams fuzzer,address -DSWIFT_PACKAGE -Xcc -DYAML_DECLARE_STATIC -I "$yams/CYaml/include" \
    -- "$yams"/Yams/*.swift

sources=(Sources/Experiments/Parameters.swift Sources/Experiments/YAMLFields.swift fuzz/params/FuzzParams.swift)
objects=("$build"/{Yams,RealModule,MatrixCore,NeuralNet}.o "${cyaml_objects[@]}")
if (( rebuilt )) || stale "$out/fuzz-params" "${sources[@]}" "${objects[@]}"; then
    echo "building fuzz-params"
    swiftc "${swift_flags[@]}" -sanitize=fuzzer,address -module-name ParamsFuzz \
        -I "$yams/CYaml/include" -Xcc -DYAML_DECLARE_STATIC "${numerics_shims[@]}" \
        "${sources[@]}" "${objects[@]}" -lm -use-ld=lld -o "$out/fuzz-params"
fi
echo "build took $((SECONDS - started)) s"

# Swift's own crash backtracer (swift-backtrace) hangs here when a libFuzzer+ASan binary traps
# (a failed precondition waited over ten minutes); libFuzzer prints the stack and saves the
# input itself.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}
# Yams hashes mapping keys recursively; a key nested to libyaml's limit (1000 levels) fits in
# 8 MiB of stack without ASan but not with ASan's larger frames, so give the fuzzer 64 MiB
# rather than report a stack overflow that the real build does not have.
ulimit -s 65536 2>/dev/null || ulimit -s unlimited 2>/dev/null || true
exec "$out/fuzz-params" \
    -max_total_time="${FUZZ_SECONDS:-60}" \
    -max_len="${FUZZ_MAX_LEN:-4096}" \
    -timeout="${FUZZ_TIMEOUT:-10}" \
    -dict=fuzz/params/yaml.dict \
    -print_final_stats=1 \
    -artifact_prefix="$out/" \
    "$@" \
    "$out/corpus"
