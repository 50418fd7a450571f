#!/usr/bin/env bash
# A disk that fills while rlrun writes: trains the built-in policy with its run directory on a
# small tmpfs, fills that file system after the first checkpoint, and checks that the run
# stops with an error naming the file it could not write, leaves no partial checkpoint, keeps
# the previous one intact, and continues with --resume once there is space again, to the
# same metrics as a run that never stopped. Needs root (for the tmpfs mount).
#
# usage: scripts/disk-full.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [[ $(id -u) -ne 0 ]]; then echo "skipped: mounting a small file system needs root"; exit 0; fi
swift build -c release >&2
bin="$root/.build/release/rlrun"
work="$(mktemp -d)"
mnt="$work/disk"
mkdir -p "$mnt"
mount -t tmpfs -o size=48m tmpfs "$mnt"
trap 'umount "$mnt" 2>/dev/null || true; rm -rf "$work"' EXIT
args=(--algorithm grpo --reward gsm8k --steps 8 --seed 4 --prompts-per-step 4 --group-size 4 --max-new-tokens 32
      --checkpoint-every 2 --eval-every 0 --set eval_prompts=4 --quiet)

"$bin" "${args[@]}" --run-dir "$work/reference" >/dev/null
log="$work/full.log"
"$bin" "${args[@]}" --run-dir "$mnt/run" >"$log" 2>&1 &
pid=$!
until [[ -d "$mnt/run/checkpoints/step-000002" ]] || ! kill -0 $pid 2>/dev/null; do sleep 0.1; done
dd if=/dev/zero of="$mnt/filler" bs=1M 2>/dev/null || true   # until the file system is full
status=0
wait $pid || status=$?
echo "run on a full disk: exit status $status"
grep -E "Error" "$log" | sed 's/^/  | /'
partial="$(ls -a "$mnt/run/checkpoints" | grep partial || true)"
echo "checkpoints left: $(ls "$mnt/run/checkpoints" | tr '\n' ' ')${partial:+ partial: $partial}"
[[ $status -ne 0 ]] || { echo "FAILED: the run did not stop"; exit 1; }
grep -q "No space left on device" "$log" || { echo "FAILED: the error does not say the disk is full"; exit 1; }
grep -q "is intact" "$log" || { echo "FAILED: the error does not say what is intact"; exit 1; }
[[ -z "$partial" ]] || { echo "FAILED: a partial checkpoint was left"; exit 1; }

rm -f "$mnt/filler"
"$bin" "${args[@]}" --run-dir "$mnt/run" --resume >/dev/null
python3 - "$work/reference/metrics.jsonl" "$mnt/run/metrics.jsonl" <<'PY'
import json, sys
def steps(path):
    rows = {}
    for line in open(path):
        row = json.loads(line)
        if "loss" in row:
            rows[int(row["step"])] = {k: v for k, v in row.items() if not (k.startswith("time_") or k.startswith("tokens_per_second"))}
    return rows
a, b = steps(sys.argv[1]), steps(sys.argv[2])
same = a == b
print(f"resumed after freeing space: {len(b)}/{len(a)} steps, " + ("identical metrics" if same else "metrics differ"))
sys.exit(0 if same else 1)
PY
