#!/usr/bin/env bash
# Memory soak: a few hundred RL steps of the built-in policy with small batches, sampling the
# process's resident memory (VmRSS) every second; prints RSS after warm-up (step 10), at the
# end, and the growth per 100 steps. Exits non-zero when RSS grows by more than LIMIT_MB
# (default 50) between step 10 and the end.
#
# usage: scripts/soak.sh [STEPS] [LIMIT_MB]      (default: 300 50)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
steps="${1:-300}"
limit="${2:-50}"
swift build -c release >&2
work="$(mktemp -d)"
.build/release/rlrun --algorithm grpo --reward gsm8k --steps "$steps" --seed 5 --prompts-per-step 4 --group-size 4 \
    --max-new-tokens 48 --eval-every 0 --checkpoint-every 50 --set eval_prompts=8 --quiet --run-dir "$work/run" >/dev/null &
pid=$!
: > "$work/rss.tsv"
while kill -0 "$pid" 2>/dev/null; do
    rss="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)"
    done_steps="$(grep -c '"loss"' "$work/run/metrics.jsonl" 2>/dev/null || true)"
    [[ -n "$rss" ]] && printf "%s\t%s\n" "${done_steps:-0}" "$rss" >> "$work/rss.tsv"
    sleep 1
done
wait "$pid"
python3 - "$work/rss.tsv" "$steps" "$limit" <<'PY'
import sys
rows = [tuple(map(int, line.split("\t"))) for line in open(sys.argv[1]) if line.strip()]
steps, limit = int(sys.argv[2]), float(sys.argv[3])
after = [rss for step, rss in rows if step >= 10]
start, end = after[0] / 1024, after[-1] / 1024
peak = max(rss for _, rss in rows) / 1024
per100 = (end - start) / max(1, steps - 10) * 100
print(f"RSS at step 10: {start:.1f} MB; at the end (step {rows[-1][0]}): {end:.1f} MB; peak {peak:.1f} MB; "
      f"growth {end - start:+.1f} MB ({per100:+.2f} MB per 100 steps)")
sys.exit(1 if end - start > limit else 0)
PY
