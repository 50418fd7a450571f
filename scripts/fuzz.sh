#!/usr/bin/env bash
# Fuzzes one of rlrun's parsers with libFuzzer (AddressSanitizer on), or all of them in turn:
#
#   scripts/fuzz.sh TARGET [SECONDS]    # TARGET: safetensors, tokenizer-json, bpe-round-trip,
#   scripts/fuzz.sh all [SECONDS]       #         run-configuration, gsm8k-answer; SECONDS: 600
#
# Builds the fuzzers into .build-fuzz (only what changed), seeds each from its regression corpus
# Tests/FuzzRegressionTests/Corpus/TARGET, keeps what it learns in .build-fuzz/corpus/TARGET for
# the next run, and writes any crashing, hanging or sanitizer-reported input to
# .build-fuzz/findings/TARGET. Exits non-zero if any target had a finding. Fuzz/README.md says
# what each target checks and how to keep a finding as a regression case.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

targets=(safetensors tokenizer-json bpe-round-trip run-configuration gsm8k-answer)
usage() {
    echo "usage: scripts/fuzz.sh {$(IFS='|'; echo "${targets[*]}")|all} [SECONDS]" >&2
    exit 2
}
[[ $# -ge 1 && $# -le 2 ]] || usage
seconds="${2:-600}"
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || usage
if [[ "$1" == all ]]; then
    chosen=("${targets[@]}")
elif [[ " ${targets[*]} " == *" $1 "* ]]; then
    chosen=("$1")
else
    usage
fi

# The run-configuration fuzzer links the host runtime, hence libtorch.
scripts/bootstrap-libtorch.sh
build_path="$root/.build-fuzz"
# One combined -sanitize flag: given as two (--sanitize=fuzzer --sanitize=address), swiftc keeps
# only the last and the code gets no coverage instrumentation, so libFuzzer would fuzz blind.
# Release: Swift keeps its overflow and bounds checks at -O and runs several times faster.
build=(swift build -c release --build-path "$build_path" -Xswiftc -sanitize=fuzzer,address
       -Xcc -fsanitize=fuzzer-no-link,address -Xcxx -fsanitize=fuzzer-no-link,address)
for target in "${chosen[@]}"; do
    # gold warns once per ASan helper symbol when linking; nothing to act on.
    RLRUN_FUZZ=1 "${build[@]}" --product "fuzz-$target" 2>&1 | sed -e '/Cannot export local symbol/d'
done
bin="$(RLRUN_FUZZ=1 "${build[@]}" --show-bin-path)"

# Leaks are findings too, apart from the known false positives listed in the suppressions.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:symbolize=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/Fuzz/lsan-suppressions.txt:print_suppressions=0}"
# Swift's own crash backtracer reads memory that ASan then reports as a bogus overflow; with it
# off, libFuzzer reports the trap with ASan's stack.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"

failed=()
for target in "${chosen[@]}"; do
    seeds="$root/Tests/FuzzRegressionTests/Corpus/$target"
    corpus="$build_path/corpus/$target"
    findings="$build_path/findings/$target"
    log="$build_path/logs/$target-$(date +%Y%m%d-%H%M%S).log"
    mkdir -p "$corpus" "$findings" "$(dirname "$log")"
    before="$(find "$findings" -type f | wc -l)"
    options=(
        -max_total_time="$seconds"
        -timeout=10             # an input running 10 s is a hang
        -rss_limit_mb=2048      # and one needing 2 GB is a finding too
        -max_len=8192
        -print_final_stats=1
        -artifact_prefix="$findings/"
    )
    dictionary="$root/Fuzz/Dictionaries/$target.dict"
    [[ -f "$dictionary" ]] && options+=(-dict="$dictionary")
    echo "== fuzz-$target for ${seconds}s (log: $log)"
    # The first folder receives new inputs; the seed corpus is only read.
    status=0
    "$bin/fuzz-$target" "${options[@]}" "$corpus" "$seeds" > "$log" 2>&1 || status=$?
    grep -E '^(#[0-9]+[[:space:]]+(INITED|DONE)|stat::|==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written|Done [0-9]+ runs)' "$log" || true
    after="$(find "$findings" -type f | wc -l)"
    if [[ $status -ne 0 || $after -ne $before ]]; then
        echo "!! fuzz-$target: finding (exit $status); inputs in $findings, full log in $log" >&2
        failed+=("$target")
    else
        echo "== fuzz-$target: no finding in ${seconds}s; corpus $(find "$corpus" -type f | wc -l) inputs"
    fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "!! findings in: ${failed[*]}" >&2
    exit 1
fi
