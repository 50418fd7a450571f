#!/usr/bin/env python3
"""Reads a TensorBoard log directory with TensorBoard's own loader and prints each scalar and
text tag with how many steps it holds: a check that rlrun's event files are what TensorBoard
expects. Needs `python3 -m pip install tensorboard`.

usage: scripts/check-tensorboard.py LOGDIR
"""
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    # size_guidance 0 keeps every event; the default samples long runs down.
    accumulator = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0, "tensors": 0})
    accumulator.Reload()
    tags = accumulator.Tags()
    if not tags["scalars"] and not tags["tensors"]:
        print(f"no scalars or tensors in {sys.argv[1]}", file=sys.stderr)
        return 1
    for tag in sorted(tags["scalars"]):
        events = accumulator.Scalars(tag)
        steps = [e.step for e in events]
        print(f"scalar {tag}: {len(events)} events, steps {min(steps)}..{max(steps)}, last {events[-1].value:.6g}")
    for tag in sorted(tags["tensors"]):
        events = accumulator.Tensors(tag)
        last = events[-1].tensor_proto.string_val
        text = last[0].decode("utf-8", "replace") if last else ""
        print(f"text {tag}: {len(events)} events, last {text[:60]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
