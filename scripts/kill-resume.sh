#!/usr/bin/env bash
# Kill-and-resume check (the full form of the suite's resume test): trains a short built-in
# run without interruption, then the same run killed with SIGKILL after each of the given
# delays (seconds; during generation, the update or a checkpoint write, wherever it lands) and
# continued with --resume until it finishes, and compares every step's metrics with the
# uninterrupted run's. Exits non-zero on any difference.
#
# A kill point may also be a fail point inside the checkpoint write (RLRUN_FAILPOINT, see
# Sources/Core/Training/FailPoint.swift): NAME:K kills the run at the K-th pass there.
#
# usage: scripts/kill-resume.sh [DELAY|FAILPOINT...]
#        (default: 3 8 14 20 checkpoint-state-written:3 checkpoint-before-rename:5)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
swift build -c release >&2
bin=.build/release/rlrun
delays=("$@")
[[ $# -eq 0 ]] && delays=(3 8 14 20 checkpoint-state-written:3 checkpoint-before-rename:5)
work="$(mktemp -d)"
args=(--algorithm grpo --reward gsm8k --steps 30 --seed 3 --prompts-per-step 8 --group-size 4 --max-new-tokens 48
      --checkpoint-every 2 --eval-every 0 --set eval_prompts=8 --quiet)

echo "uninterrupted run..."
"$bin" "${args[@]}" --run-dir "$work/reference" >/dev/null
for delay in "${delays[@]}"; do
    run="$work/killed-$delay"
    if [[ "$delay" =~ ^[0-9.]+$ ]]; then
        "$bin" "${args[@]}" --run-dir "$run" >/dev/null &
        pid=$!
        sleep "$delay"
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        when="after ${delay} s"
    else
        # A fail point: the run kills itself (SIGKILL) at that place of a checkpoint write.
        ( RLRUN_FAILPOINT="$delay" "$bin" "${args[@]}" --run-dir "$run" >/dev/null ) 2>/dev/null || true
        when="at fail point $delay"
    fi
    last="$(ls "$run/checkpoints" 2>/dev/null | grep '^step-' | sort | tail -1 || true)"
    partial="$(ls -a "$run/checkpoints" 2>/dev/null | grep 'partial' | tr '\n' ' ' || true)"
    done_steps="$(grep -c '"loss"' "$run/metrics.jsonl" 2>/dev/null || true)"
    echo "killed $when at step $((done_steps + 1)) (newest checkpoint: ${last:-none}${partial:+; left partial: $partial}); resuming..."
    "$bin" "${args[@]}" --run-dir "$run" --resume >/dev/null
done
python3 - "$work" "${delays[@]}" <<'PY'
import json, math, sys
work, delays = sys.argv[1], sys.argv[2:]
def steps(path):
    rows = {}
    for line in open(path):
        row = json.loads(line)
        if "loss" in row:                      # training steps (evaluation lines have no loss)
            rows[int(row["step"])] = row       # a resumed run repeats steps after its checkpoint: the last one counts
    return rows
# Timings differ from run to run; everything else must be equal.
def comparable(row):
    return {k: v for k, v in row.items() if not (k.startswith("time_") or k.startswith("tokens_per_second"))}
reference = steps(f"{work}/reference/metrics.jsonl")
failed = False
for delay in delays:
    got = steps(f"{work}/killed-{delay}/metrics.jsonl")
    diffs = [(s, k) for s in reference for k, v in comparable(reference[s]).items()
             if s not in got or not (got[s].get(k) == v or (v is None and got[s].get(k) is None)
                                     or (isinstance(v, float) and isinstance(got[s].get(k), float) and math.isnan(v) and math.isnan(got[s][k])))]
    print(f"killed at {delay}: {len(got)}/{len(reference)} steps, " + ("identical metrics" if not diffs else f"{len(diffs)} differences, first {diffs[:3]}"))
    failed |= bool(diffs)
sys.exit(1 if failed else 0)
PY
