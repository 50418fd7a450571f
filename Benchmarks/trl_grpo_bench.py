"""Hugging Face TRL's GRPOTrainer on the settings of `rlrun bench train`, measured the same way: random
weights (float32, CPU) of the shapes of Benchmarks/hf_model_bench.py, one GRPO step = --prompts prompts of 32
random tokens x --group completions of exactly --new-tokens tokens each (the end-of-sequence id lies outside the
model's vocabulary, so sampling never stops early), temperature 1, top_p 1, no top-k, beta 0 (no reference
model), num_iterations 1, learning rate 1e-6, and one optimizer step per generation that consumes all its
completions in one micro-batch (per_device_train_batch_size = prompts x group, gradient_accumulation_steps 1,
like rlrun's micro_batch_size). The reward is the fraction of even completion ids, so its cost is negligible.
Gradient checkpointing (TRL's default is on) is off, as in rlrun; --gradient-checkpointing turns it on.
Prints a JSON list of results on stdout; progress and TRL's own output go to stderr.

    pip install torch transformers trl datasets accelerate
    # checked with torch==2.15.0 transformers==5.24.0 trl==1.16.0 datasets==5.2.0 accelerate==1.15.0
    python Benchmarks/trl_grpo_bench.py --models tiny small --warmup 2 --steps 5
    python Benchmarks/trl_grpo_bench.py --bf16     # against `rlrun bench train --autocast bf16`
"""
import argparse
import contextlib
import json
import os
import random
import sys
import tempfile
import time

import torch
import transformers
import trl
from datasets import Dataset
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast, TrainerCallback
from trl import GRPOConfig, GRPOTrainer

# The same random shapes as rlrun bench model / bench train (and the transformers benchmark beside this file).
from hf_model_bench import SHAPES  # noqa: E402


# transformers 5 renamed gradient_checkpointing to activation_checkpointing (the old name is a deprecated alias that
# TRL's config defaults to True).
CHECKPOINTING = ("activation_checkpointing" if "activation_checkpointing" in GRPOConfig.__dataclass_fields__
                 else "gradient_checkpointing")


def make_tokenizer(vocabulary):
    """Word-level tokens "t0".."t{vocabulary-1}" (t0 is padding and unknown) plus "<eos>" with id `vocabulary`,
    outside the model's vocabulary, so it can never be sampled. Special tokens are matched inside words, so none
    may be a prefix of another token ("t3" would split "t37" into "t3" "7"): "t0" is not."""
    vocab = {f"t{i}": i for i in range(vocabulary)}
    vocab["<eos>"] = vocabulary
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="t0"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="t0", eos_token="<eos>", unk_token="t0",
                                        padding_side="left")
    assert tokenizer.pad_token_id == 0 and tokenizer.eos_token_id == vocabulary
    return tokenizer


class StepTimes(TrainerCallback):
    def __init__(self):
        self.marks = []

    def on_train_begin(self, args, state, control, **kwargs):
        self.marks = [time.perf_counter()]

    def on_step_end(self, args, state, control, **kwargs):
        self.marks.append(time.perf_counter())


def bench(name, args):
    config_class, model_class, fields = SHAPES[name]
    vocabulary = fields["vocab_size"]
    torch.manual_seed(0)
    model = model_class(config_class(**fields)).float()
    tokenizer = make_tokenizer(vocabulary)
    # TRL stops a completion at the tokenizer's eos and at every eos id in model.generation_config (the config
    # default is 2, a sampleable id), so leave only the unsampleable one.
    model.config.eos_token_id = tokenizer.eos_token_id
    model.config.bos_token_id = None
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.bos_token_id = None
    parameters = sum(p.numel() for p in model.parameters())

    total_steps = args.warmup + args.steps
    rng = random.Random(0)
    prompts = [" ".join(f"t{rng.randrange(4, vocabulary)}" for _ in range(args.prompt_tokens))
               for _ in range(args.prompts * total_steps)]
    for prompt in prompts:
        ids = tokenizer(prompt)["input_ids"]
        assert len(ids) == args.prompt_tokens and min(ids) >= 4, (prompt, ids)
    dataset = Dataset.from_dict({"prompt": prompts})

    generations = []  # one entry per reward call: the completion lengths of that generation

    def even_ids(prompts, completions, completion_ids, **kwargs):
        generations.append([len(ids) for ids in completion_ids])
        return [sum(1 for i in ids if i % 2 == 0) / max(1, len(ids)) for ids in completion_ids]

    completions = args.prompts * args.group
    with tempfile.TemporaryDirectory() as output_dir:
        config = GRPOConfig(
            output_dir=output_dir, report_to="none", save_strategy="no", eval_strategy="no", logging_strategy="no",
            disable_tqdm=True, log_level="warning", use_cpu=True, bf16=args.bf16, fp16=False,
            dataloader_num_workers=0, seed=0, max_steps=total_steps, learning_rate=1e-6,
            **{CHECKPOINTING: args.gradient_checkpointing},
            per_device_train_batch_size=completions, gradient_accumulation_steps=1,  # steps_per_generation := 1
            num_generations=args.group, num_iterations=1, beta=0.0, loss_type="dapo",
            max_completion_length=args.new_tokens, temperature=1.0, top_p=1.0, top_k=0, min_p=None,
            use_vllm=False)
        assert config.steps_per_generation == 1 and config.generation_batch_size == completions, \
            (config.steps_per_generation, config.generation_batch_size)
        times = StepTimes()
        trainer = GRPOTrainer(model=model, reward_funcs=even_ids, args=config, train_dataset=dataset,
                              processing_class=tokenizer, callbacks=[times])
        assert trainer.eos_token_ids == [tokenizer.eos_token_id], trainer.eos_token_ids
        # Time split: generation + scoring (TRL's _generate_and_score_completions) vs the rest of the step.
        generation_seconds = []
        generate_and_score = trainer._generate_and_score_completions

        def timed_generate_and_score(*a, **k):
            started = time.perf_counter()
            out = generate_and_score(*a, **k)
            generation_seconds.append(time.perf_counter() - started)
            return out

        trainer._generate_and_score_completions = timed_generate_and_score
        torch.set_num_threads(args.threads)
        with contextlib.redirect_stdout(sys.stderr):
            trainer.train()
        checkpointing = getattr(trainer.model, "is_" + CHECKPOINTING)  # the Trainer turns it on in train()
        assert checkpointing == args.gradient_checkpointing, checkpointing

    steps = [b - a for a, b in zip(times.marks, times.marks[1:])]
    assert trainer.state.global_step == total_steps and len(steps) == total_steps, (trainer.state.global_step, steps)
    assert len(generations) == total_steps and len(generation_seconds) == total_steps, (generations, generation_seconds)
    for lengths in generations:
        assert len(lengths) == completions and all(n == args.new_tokens for n in lengths), lengths
    timed, timed_generation = steps[args.warmup:], generation_seconds[args.warmup:]
    mean = lambda values: sum(values) / max(1, len(values))
    return dict(model=name, parameters=parameters, prompts=args.prompts, group=args.group, new_tokens=args.new_tokens,
                seconds_per_step_mean=mean(timed), seconds_per_step_min=min(timed),
                generation_seconds=mean(timed_generation),
                update_seconds=mean([s - g for s, g in zip(timed, timed_generation)]),
                steps=len(timed), warmup=args.warmup, completion_lengths_checked=sum(map(len, generations)),
                trl_version=trl.__version__, transformers_version=transformers.__version__,
                torch_version=torch.__version__, threads=torch.get_num_threads(), bf16=args.bf16)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", nargs="+", default=["tiny", "small"], choices=sorted(SHAPES))
    parser.add_argument("--prompts", type=int, default=8)
    parser.add_argument("--group", type=int, default=8)
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--prompt-tokens", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--gradient-checkpointing", action="store_true")
    # Mixed precision as TRL spells it: the Trainer runs the model's forward passes (training and generation)
    # under torch.autocast(cpu, bfloat16) with float32 weights; `rlrun bench train --autocast bf16` is its twin.
    parser.add_argument("--bf16", action="store_true")
    args = parser.parse_args()
    assert args.steps >= 1
    torch.set_num_threads(args.threads)
    results = []
    for name in args.models:
        results.append(bench(name, args))
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
