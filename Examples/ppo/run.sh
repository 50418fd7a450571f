#!/usr/bin/env bash
# Trains the built-in policy with ppo; extra arguments are passed on (e.g. --steps 10, --model DIR).
cd "$(dirname "$0")/../.." && exec scripts/rlrun --config Examples/ppo/config.yaml --run-dir runs/example-ppo "$@"
