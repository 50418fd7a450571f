"""Hugging Face transformers on the shapes of `rlrun bench model`, measured the same way:
random weights, prompts of 32 random tokens, sampling at temperature 1 with no stop token (every
sequence generates exactly N tokens), and one forward+backward of log-probs over prompt +
completion. Needs torch and transformers (`pip install torch transformers`).

    python Benchmarks/hf_model_bench.py --models tiny small --batches 1 8 --new-tokens 64 256
"""
import argparse
import json
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

SHAPES = {
    "tiny": (LlamaConfig, LlamaForCausalLM, dict(hidden_size=160, num_hidden_layers=4, num_attention_heads=4,
             num_key_value_heads=2, intermediate_size=480, max_position_embeddings=1024, vocab_size=100,
             tie_word_embeddings=True, rms_norm_eps=1e-6)),
    "small": (Qwen2Config, Qwen2ForCausalLM, dict(hidden_size=384, num_hidden_layers=8, num_attention_heads=6,
              num_key_value_heads=2, intermediate_size=1024, rope_theta=1e6, max_position_embeddings=1024,
              vocab_size=8192, tie_word_embeddings=True)),
    "qwen0.5b": (Qwen2Config, Qwen2ForCausalLM, dict(hidden_size=896, num_hidden_layers=24, num_attention_heads=14,
                 num_key_value_heads=2, intermediate_size=4864, rope_theta=1e6, max_position_embeddings=32768,
                 vocab_size=151936, tie_word_embeddings=True)),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", nargs="+", default=["tiny", "small"])
    parser.add_argument("--batches", nargs="+", type=int, default=[1, 8])
    parser.add_argument("--new-tokens", nargs="+", type=int, default=[64, 256])
    parser.add_argument("--prompt-tokens", type=int, default=32)
    parser.add_argument("--dtype", choices=["float32", "bfloat16"], default="float32")
    parser.add_argument("--skip-train", action="store_true", help="generation only (bf16 training is slow on CPUs without native bf16)")
    args = parser.parse_args()
    torch.manual_seed(0)
    results = []
    for name in args.models:
        config_class, model_class, fields = SHAPES[name]
        model = model_class(config_class(**fields)).to(getattr(torch, args.dtype)).eval()
        vocabulary = fields["vocab_size"]
        prompt = lambda batch: torch.randint(4, vocabulary, (batch, args.prompt_tokens))
        with torch.no_grad():
            model.generate(prompt(1), max_new_tokens=4, min_new_tokens=4, do_sample=True, pad_token_id=0)
        for batch in args.batches:
            for count in args.new_tokens:
                ids = prompt(batch)
                start = time.perf_counter()
                with torch.no_grad():
                    model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=count, min_new_tokens=count,
                                   do_sample=True, temperature=1.0, top_p=1.0, top_k=0, pad_token_id=0)
                seconds = time.perf_counter() - start
                results.append(dict(model=name, task="generate", batch=batch, new_tokens=count,
                                    tokens_per_second=batch * count / seconds, seconds=seconds))
                print(json.dumps(results[-1]), flush=True)
        model.train()
        for batch in ([] if args.skip_train else args.batches):
            count = max(args.new_tokens)
            ids = torch.cat([prompt(batch), torch.full((batch, count), 5)], dim=1)

            def step():
                logits = model(ids).logits[:, args.prompt_tokens - 1:-1].float()
                logp = torch.log_softmax(logits, -1).gather(-1, ids[:, args.prompt_tokens:, None]).squeeze(-1)
                logp.sum().backward()
                model.zero_grad(set_to_none=True)

            step()
            start = time.perf_counter()
            step()
            seconds = time.perf_counter() - start
            results.append(dict(model=name, task="train", batch=batch, new_tokens=count,
                                tokens_per_second=batch * (args.prompt_tokens + count) / seconds, seconds=seconds))
            print(json.dumps(results[-1]), flush=True)


if __name__ == "__main__":
    main()
