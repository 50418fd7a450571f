#!/usr/bin/env bash
# Trains the built-in policy with grpo; extra arguments are passed on (e.g. --steps 10, --model DIR).
cd "$(dirname "$0")/../.." && exec scripts/rlrun --config Examples/grpo/config.yaml --run-dir runs/example-grpo "$@"
