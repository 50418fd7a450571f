#!/usr/bin/env bash
# Data-parallel checks and benchmark on this machine (c10d, Gloo, loopback):
#  1. equality: the same built-in run (fixed seed, global batch B) as 1 process and as
#     `--nproc 2`; compares every weight of the final checkpoints;
#  2. a dead rank: a 2-process run whose rank 1 is killed with SIGKILL mid-run must end with
#     a clear error within the timeout (--dist-timeout), not hang;
#  3. speed: seconds per step with 1 and 2 processes at the same global batch (the first
#     step, which warms the caches, is left out).
# Exits non-zero when a check fails.
#
# usage: scripts/data-parallel.sh [STEPS]      (default: 12 steps for the benchmark)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/bootstrap-libtorch.sh >/dev/null
swift build -c release --product rlrun >&2
swift build -c release >&2
bin=.build/release/rlrun
steps="${1:-12}"
work="$(mktemp -d)"
args=(--algorithm grpo --reward gsm8k --seed 5 --prompts-per-step 8 --group-size 4 --max-new-tokens 48 --mu 2
      --eval-every 0 --set eval_prompts=16 --quiet)

echo "== 1. equality: 1 process vs 2 processes, global batch 8 prompts x 4, 4 steps, mu 2"
OMP_NUM_THREADS=1 "$bin" "${args[@]}" --steps 4 --checkpoint-every 4 --run-dir "$work/one" >/dev/null
"$bin" --nproc 2 "${args[@]}" --steps 4 --checkpoint-every 4 --run-dir "$work/two" >/dev/null
python3 - "$work/one/checkpoints/step-000004/state.safetensors" "$work/two/checkpoints/step-000004/state.safetensors" <<'PY'
import json, struct, sys
def tensors(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] != "F32" or not name.startswith("trainable."):
            continue
        a, b = info["data_offsets"]
        raw = data[8 + n + a:8 + n + b]
        out[name] = struct.unpack(f"<{len(raw) // 4}f", raw)
    return out
one, two = tensors(sys.argv[1]), tensors(sys.argv[2])
assert one.keys() == two.keys() and one, "the checkpoints hold different tensors"
largest = max(abs(x - y) for k in one for x, y in zip(one[k], two[k]))
count = sum(len(v) for v in one.values())
print(f"   {len(one)} weight tensors, {count} values: largest difference {largest:.3g}")
sys.exit(0 if largest < 1e-4 else 1)
PY

echo "== 2. a rank killed mid-run (timeout 60 s)"
log="$work/killed.log"
start=$(date +%s.%N)
"$bin" --nproc 2 "${args[@]}" --steps 200 --dist-timeout 60 --run-dir "$work/killed" >"$log" 2>&1 &
launcher=$!
for _ in $(seq 1 300); do
    [[ -f "$work/killed/metrics.jsonl" ]] && break
    sleep 0.2
done
sleep 2
rank1="$(pgrep -P "$launcher" | sed -n 2p)"
kill -9 "$rank1"
killed=$(date +%s.%N)
status=0
wait "$launcher" || status=$?
ended=$(date +%s.%N)
echo "   rank 1 (pid $rank1) killed; the launcher exited with status $status after $(python3 -c "print(round($ended - $killed, 2))") s"
grep -E "rank|Error" "$log" | sed 's/^/   | /' | head -5
if [[ $status -eq 0 ]] || ! grep -q "rank 1 was killed by signal 9" "$log" || ! grep -q "rank 0 of 2: .* failed" "$log"; then
    echo "   FAILED: the launcher did not report the dead rank, or rank 0 gave no error"; exit 1
fi

echo "== 3. seconds per step, same global batch, $steps steps"
for n in 1 2; do
    dir="$work/bench-$n"
    if [[ $n -eq 1 ]]; then
        "$bin" "${args[@]}" --steps "$steps" --checkpoint-every 0 --run-dir "$dir" >/dev/null
    else
        "$bin" --nproc "$n" "${args[@]}" --steps "$steps" --checkpoint-every 0 --run-dir "$dir" >/dev/null
    fi
    python3 - "$dir/metrics.jsonl" "$n" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
times = [r["time_step"] for r in rows if "time_step" in r][1:]
gen = [r["time_generation"] for r in rows if "time_generation" in r][1:]
upd = [r["time_update"] for r in rows if "time_update" in r][1:]
mean = lambda xs: sum(xs) / len(xs)
print(f"   {sys.argv[2]} process(es): {mean(times):.3f} s/step ({1 / mean(times):.2f} steps/s; generation {mean(gen):.3f} s, update {mean(upd):.3f} s)")
PY
done
rm -rf "$work"
