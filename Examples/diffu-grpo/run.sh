#!/usr/bin/env bash
# Trains the built-in masked-diffusion policy with diffu-grpo; extra arguments are passed on
# (e.g. --steps 10, --masking progressive, --model DIR).
cd "$(dirname "$0")/../.." && exec scripts/rlrun --config Examples/diffu-grpo/config.yaml --run-dir runs/example-diffu-grpo "$@"
