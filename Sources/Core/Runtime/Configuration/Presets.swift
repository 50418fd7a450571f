import RLRunSDK

/// Named starting points (`--preset NAME`), applied before a config file and flags.
public enum Presets {
    public static let all: [String: [String: JSONValue]] = [
        "grpo": ["algorithm": "grpo"],
        "drgrpo": ["algorithm": "drgrpo"],
        "dapo": ["algorithm": "dapo"],
        "ppo": ["algorithm": "ppo"],
        "diffu-grpo": ["algorithm": "diffu-grpo"],
        // A 0.5B-class model on GSM8K: short reasoning, full fine-tuning.
        "reasoning_small": [
            "algorithm": "grpo", "dataset": "gsm8k", "rewards": .object(["gsm8k": 1.0, "format": 0.5]),
            "learning_rate": 1e-6, "group_size": 8, "prompts_per_step": 16, "max_new_tokens": 256, "temperature": 1.0,
            "micro_batch_size": 8, "eval_every": 20, "steps": 200,
        ],
        // A larger model: LoRA, longer answers, DAPO's clip-higher and dynamic sampling.
        "reasoning_large": [
            "algorithm": "dapo", "dataset": "gsm8k", "rewards": .object(["gsm8k": 1.0, "format": 0.5]),
            "learning_rate": 1e-5, "group_size": 16, "prompts_per_step": 32, "max_new_tokens": 1024, "temperature": 1.0,
            "micro_batch_size": 4, "use_lora": true, "lora_r": 64, "lora_alpha": 128.0, "eval_every": 25, "steps": 500,
        ],
        // The seeds' composite reward: BLEU/ROUGE-L against the worked solution (metadata.solution
        // of the arithmetic and gsm8k datasets; a bare final number says little about text
        // quality), LIMEN's tension as a penalty (its `tension` output, weighed negatively), a
        // curiosity bonus and safety.
        "composite": [
            "rewards": .object(["quality": 0.4, "limen": -0.3, "curiosity": 0.2, "safety": 0.1]),
            "options": .object(["limen": .object(["reward": "tension"]), "quality": .object(["reference_field": "solution"])]),
        ],
    ]

    public static var names: [String] { all.keys.sorted() }
}
