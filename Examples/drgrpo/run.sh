#!/usr/bin/env bash
# Trains the built-in policy with drgrpo; extra arguments are passed on (e.g. --steps 10, --model DIR).
cd "$(dirname "$0")/../.." && exec scripts/rlrun --config Examples/drgrpo/config.yaml --run-dir runs/example-drgrpo "$@"
