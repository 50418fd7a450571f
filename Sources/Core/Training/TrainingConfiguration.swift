import Engine
import Models
import RLRunSDK

/// Everything a run is set up with, in the vocabulary of the seeds' grpo_config.yaml. Names
/// say what they count: `prompts_per_step` prompts, each with `group_size` completions, go
/// through `mu` policy updates of micro-batches of `micro_batch_size` sequences.
public struct TrainingConfiguration: Sendable, Equatable {
    public var seed: UInt64 = 0
    public var steps = 50
    public var promptsPerStep = 8
    /// Prompts each dynamic-sampling round generates (verl's gen_batch_size): nil, as many as
    /// the step trains. More per round means fewer, larger rounds; kept groups beyond the
    /// step's are dropped, as verl drops them.
    public var promptsPerRound: Int?
    /// Dynamic sampling's screen (SPEED's N_init): each round first samples this many
    /// completions per prompt, and only prompts whose screen passes the algorithm's group filter
    /// get the rest of their group. nil: whole groups at once.
    public var screeningSamples: Int?
    /// nil: the algorithm's own default.
    public var groupSize: Int?
    public var mu: Int?
    public var microBatchSize = 16
    public var learningRate = 1e-6
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var adamEps = 1e-8
    public var weightDecay = 0.0
    /// Global gradient-norm clip; nil = none.
    public var gradientClip: Double? = 1.0
    public var learningRateSchedule = LearningRateSchedule.Kind.constant
    public var warmupSteps = 0
    public var maxNewTokens = 64
    public var temperature = 1.0
    public var topP = 1.0
    public var topK = 0
    public var evalEvery = 10
    /// Held-out prompts per evaluation (greedy).
    public var evalPrompts = 64
    public var evalSplit = "test"
    public var trainSplit = "train"
    public var checkpointEvery = 0
    public var useLoRA = false
    /// A frozen 4-bit (NF4, block-wise absmax) base under the LoRA adapters (QLoRA).
    public var use4Bit = false
    /// A frozen base whose weight matrices stay in bf16 under float32 compute, under the LoRA
    /// adapters: half the memory, and half the bytes each decoding step of a rollout reads.
    public var bf16Base = false
    /// Leave groups whose advantages are all zero out of the update passes where that cannot
    /// change the gradient (see `Trainer.withoutInertGroups`).
    public var skipInertGroups = true
    /// A critic (PPO) of its own: a copy of the policy's starting weights under the value
    /// head, as verl and OpenRLHF train it, instead of the head on the policy's backbone.
    public var separateCritic = false
    /// Steps at the start that train the critic alone (verl's critic_warmup): the policy
    /// waits until the values it is judged against mean something.
    public var criticWarmupSteps = 0
    /// The critic's learning rate (its head, and its backbone when separate), on the policy's
    /// schedule: verl and OpenRLHF train the critic faster than the actor. nil: learning_rate.
    public var criticLearningRate: Double?
    /// Truncated completions (no stop token within max_new_tokens) count for nothing: their
    /// loss mask is 0, so they leave the token and sequence counts too (DAPO's overlong
    /// filtering, TRL's mask_truncated_completions). Their rewards still enter the advantages.
    public var maskTruncatedCompletions = false
    /// Optimizer steps per pass over a generated batch (TRL num_mini_batches; verl
    /// train_batch_size / ppo_mini_batch_size): the kept groups split in this many contiguous
    /// shares of whole groups, each normalised by its own tokens and sequences.
    public var miniBatches = 1
    /// Mixed precision of the training passes: matmuls in this dtype under libtorch's
    /// autocast, float32 master weights and optimizer state (nil: the model's own dtype).
    public var autocast: DType?
    public var lora = LoRASettings()
    /// Skip the optimizer step when the gradient norm exceeds this multiple of its running mean.
    public var gradientSpikeFactor: Double?
    /// Block decoding and log-prob masking of masked-diffusion policies (diffu-GRPO).
    public var diffusion = DiffusionSettings()
    public var stability = StabilitySettings()
    /// Steps in a row with NaN or infinite values (each skipped) after which the run stops.
    public var maxNonFiniteSteps = 3

    public struct DiffusionSettings: Sendable, Equatable {
        /// Semi-autoregressive block length; divides max_new_tokens (the generation length).
        public var blockLength = 32
        /// Denoising steps over the whole completion; a multiple of the number of blocks.
        public var steps = 64
        public var remasking = DiffusionSamplingOptions.Remasking.lowConfidence
        public var guidanceScale = 0.0
        /// Rate at which prompt tokens are masked for the log-prob estimate (d1: 0.15),
        /// given to the masking strategy when none is configured otherwise.
        public var promptMaskRate = 0.15
        /// A fresh masking seed per update (false: seed 42 for every update, as d1's option).
        public var randomMasking = true
        public init() {}
    }

    public struct LoRASettings: Sendable, Equatable {
        public var rank = 8
        public var alpha = 16.0
        public var dropout = 0.05
        public var targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
        public init() {}
    }

    public init() {}

    /// The configuration with `values` (snake_case keys, e.g. from YAML or flags) applied.
    /// Unknown keys are refused with the list of known ones.
    public func applying(_ values: [String: JSONValue], source: String) throws -> TrainingConfiguration {
        var c = self
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            func number() throws -> Double {
                guard let v = value.doubleValue, v.isFinite else { throw ConfigurationError(source, key, "a number", value) }
                return v
            }
            func integer() throws -> Int {
                guard let v = value.intValue else { throw ConfigurationError(source, key, "an integer", value) }
                return v
            }
            func text() throws -> String {
                guard let v = value.stringValue else { throw ConfigurationError(source, key, "a string", value) }
                return v
            }
            switch key {
            case "seed": c.seed = UInt64(max(0, try integer()))
            case "steps", "timesteps": c.steps = try integer()
            case "prompts_per_step", "batch_size", "train_batch_size": c.promptsPerStep = try integer()
            case "prompts_per_round", "gen_batch_size": c.promptsPerRound = try integer()
            case "screening_samples", "screen_size": c.screeningSamples = value == .null ? nil : try integer()
            case "group_size", "num_generations": c.groupSize = try integer()
            case "mu", "ppo_epochs", "num_iterations": c.mu = try integer()
            case "micro_batch_size": c.microBatchSize = try integer()
            case "learning_rate", "lr": c.learningRate = try number()
            case "beta1": c.beta1 = try number()
            case "beta2": c.beta2 = try number()
            case "adam_eps": c.adamEps = try number()
            case "weight_decay": c.weightDecay = try number()
            case "gradient_clip", "max_grad_norm": c.gradientClip = value == .null ? nil : try number()
            case "lr_schedule":
                guard let kind = LearningRateSchedule.Kind(rawValue: try text()) else {
                    throw ConfigurationError(source, key, "one of constant, linear, cosine", value)
                }
                c.learningRateSchedule = kind
            case "warmup_steps": c.warmupSteps = try integer()
            case "max_new_tokens", "max_completion_length": c.maxNewTokens = try integer()
            case "temperature": c.temperature = try number()
            case "top_p": c.topP = try number()
            case "top_k": c.topK = try integer()
            case "eval_every": c.evalEvery = try integer()
            case "eval_prompts": c.evalPrompts = try integer()
            case "eval_split": c.evalSplit = try text()
            case "train_split": c.trainSplit = try text()
            case "checkpoint_every", "save_every": c.checkpointEvery = try integer()
            case "use_lora": c.useLoRA = value.boolValue ?? false
            case "use_4bit", "load_in_4bit": c.use4Bit = value.boolValue ?? false
            case "bf16_base": c.bf16Base = value.boolValue ?? false
            case "skip_inert_groups": c.skipInertGroups = value.boolValue ?? true
            case "critic_warmup": c.criticWarmupSteps = try integer()
            case "critic_learning_rate", "critic_lr": c.criticLearningRate = value == .null ? nil : try number()
            case "mask_truncated_completions": c.maskTruncatedCompletions = value.boolValue ?? false
            case "mini_batches", "num_mini_batches": c.miniBatches = try integer()
            case "critic_model":
                switch try text() {
                case "shared": c.separateCritic = false
                case "separate": c.separateCritic = true
                default: throw ConfigurationError(source, key, "shared or separate", value)
                }
            case "autocast", "mixed_precision":
                switch try value.boolValue.map({ $0 ? "bf16" : "no" }) ?? text().lowercased() {
                case "bf16", "bfloat16": c.autocast = .bfloat16
                case "fp16", "float16": c.autocast = .float16
                case "no", "none", "fp32", "float32": c.autocast = nil
                default: throw ConfigurationError(source, key, "bf16, fp16 or none", value)
                }
            case "bf16": c.autocast = value.boolValue == true ? .bfloat16 : nil
            case "lora_r": c.lora.rank = try integer()
            case "lora_alpha": c.lora.alpha = try number()
            case "lora_dropout": c.lora.dropout = try number()
            case "gradient_spike_factor": c.gradientSpikeFactor = value == .null ? nil : try number()
            case "block_length": c.diffusion.blockLength = try integer()
            case "diffusion_steps": c.diffusion.steps = try integer()
            case "remasking":
                guard let kind = DiffusionSamplingOptions.Remasking(rawValue: try text()) else {
                    throw ConfigurationError(source, key, "one of low_confidence, random", value)
                }
                c.diffusion.remasking = kind
            case "guidance_scale", "cfg_scale": c.diffusion.guidanceScale = try number()
            case "p_mask", "mask_rate", "p_mask_prompt": c.diffusion.promptMaskRate = try number()
            case "random_masking": c.diffusion.randomMasking = value.boolValue ?? true
            case "kl_target", "adaptive_kl_target": c.stability.klTarget = value == .null ? nil : try number()
            case "kl_lr_factor": c.stability.klRateFactor = try number()
            case "entropy_floor", "min_entropy": c.stability.entropyFloor = value == .null ? nil : try number()
            case "entropy_bonus_step": c.stability.entropyBonusStep = try number()
            case "entropy_bonus_max": c.stability.entropyBonusMax = try number()
            case "stop_on_collapse", "early_stop_on_collapse": c.stability.stopOnCollapse = value.boolValue ?? false
            case "collapse_entropy": c.stability.collapseEntropy = try number()
            case "collapse_patience": c.stability.collapsePatience = try integer()
            case "max_nonfinite_steps": c.maxNonFiniteSteps = try integer()
            default:
                let hint = KeySuggestion.hint(for: key, among: Self.knownKeys)
                throw ConfigurationError(source: source, message: "unknown key '\(key)'\(hint); known keys: \(Self.knownKeys.joined(separator: ", "))")
            }
        }
        try c.validate(source: source)
        return c
    }

    public static let knownKeys = [
        "seed", "steps", "prompts_per_step", "prompts_per_round", "group_size", "mu", "micro_batch_size", "learning_rate", "beta1", "beta2",
        "adam_eps", "weight_decay", "gradient_clip", "lr_schedule", "warmup_steps", "max_new_tokens", "temperature",
        "top_p", "top_k", "eval_every", "eval_prompts", "eval_split", "train_split", "checkpoint_every", "use_lora", "use_4bit",
        "bf16_base", "skip_inert_groups", "critic_model", "critic_warmup", "critic_learning_rate", "mask_truncated_completions", "mini_batches", "autocast",
        "lora_r", "lora_alpha", "lora_dropout", "gradient_spike_factor", "block_length", "diffusion_steps", "remasking",
        "guidance_scale", "p_mask", "random_masking", "kl_target", "kl_lr_factor", "entropy_floor", "entropy_bonus_step",
        "entropy_bonus_max", "stop_on_collapse", "collapse_entropy", "collapse_patience", "max_nonfinite_steps",
    ]

    func validate(source: String) throws {
        func require(_ ok: Bool, _ message: String) throws {
            if !ok { throw ConfigurationError(source: source, message: message) }
        }
        try require(steps >= 0, "steps must be >= 0")
        try require(promptsPerStep > 0, "prompts_per_step must be > 0")
        try require((promptsPerRound ?? promptsPerStep) >= promptsPerStep,
                    "prompts_per_round (\(promptsPerRound ?? 0)) must be at least prompts_per_step (\(promptsPerStep)): each round generates that many prompts toward the step's groups")
        try require((groupSize ?? 1) > 0, "group_size must be > 0")
        try require((screeningSamples ?? 1) > 0, "screening_samples must be > 0")
        try require((mu ?? 1) > 0, "mu must be > 0")
        try require(microBatchSize > 0, "micro_batch_size must be > 0")
        try require(learningRate > 0, "learning_rate must be > 0")
        try require((criticLearningRate ?? 1) > 0, "critic_learning_rate must be > 0")
        try require(miniBatches > 0, "mini_batches must be > 0")
        try require(maxNewTokens > 0, "max_new_tokens must be > 0")
        try require(temperature >= 0, "temperature must be >= 0")
        try require(topP > 0 && topP <= 1, "top_p must be in (0, 1]")
        try require((0...1).contains(diffusion.promptMaskRate), "p_mask must be in [0, 1]")
        try require(stability.klRateFactor > 0 && stability.klRateFactor <= 1, "kl_lr_factor must be in (0, 1]")
        try require(stability.collapsePatience > 0, "collapse_patience must be > 0")
        try require(maxNonFiniteSteps > 0, "max_nonfinite_steps must be > 0")
        try require(!use4Bit || useLoRA, "use_4bit freezes the base in 4 bits, so it trains LoRA adapters only: set use_lora: true too")
        try require(!bf16Base || useLoRA, "bf16_base freezes the base in bf16, so it trains LoRA adapters only: set use_lora: true too")
        try require(!(bf16Base && use4Bit), "bf16_base and use_4bit are two ways to store the frozen base: choose one")
    }

    /// How `policy` samples under these settings: token by token, or by block unmasking.
    public func sampling(for policy: Policy) -> PolicySampling {
        guard policy.model.configuration.maskedDiffusion else {
            return .causal(SamplingOptions(temperature: temperature, topP: topP, topK: topK, maxNewTokens: maxNewTokens,
                                           stopTokenIDs: policy.stopTokenIDs))
        }
        return .diffusion(DiffusionSamplingOptions(
            generationLength: maxNewTokens, blockLength: diffusion.blockLength, steps: diffusion.steps, temperature: temperature,
            guidanceScale: diffusion.guidanceScale, remasking: diffusion.remasking, stopTokenIDs: policy.stopTokenIDs))
    }
}

/// A configuration value that does not fit: names where it came from and what was expected.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(source: String, message: String) { description = "\(source): \(message)" }

    init(_ source: String, _ key: String, _ expected: String, _ value: JSONValue) {
        description = "\(source): '\(key)' must be \(expected), got \(value.jsonText)"
    }
}

extension TrainingConfiguration {
    /// Every setting by its snake_case key, as saved with a run.
    public var jsonValue: JSONValue {
        .object([
            "seed": .number(Double(seed)), "steps": .number(Double(steps)), "prompts_per_step": .number(Double(promptsPerStep)),
            "prompts_per_round": promptsPerRound.map { .number(Double($0)) } ?? .null,
            "screening_samples": screeningSamples.map { .number(Double($0)) } ?? .null,
            "group_size": groupSize.map { .number(Double($0)) } ?? .null, "mu": mu.map { .number(Double($0)) } ?? .null,
            "micro_batch_size": .number(Double(microBatchSize)), "learning_rate": .number(learningRate),
            "beta1": .number(beta1), "beta2": .number(beta2), "adam_eps": .number(adamEps), "weight_decay": .number(weightDecay),
            "gradient_clip": gradientClip.map(JSONValue.number) ?? .null, "lr_schedule": .string(learningRateSchedule.rawValue),
            "warmup_steps": .number(Double(warmupSteps)), "max_new_tokens": .number(Double(maxNewTokens)),
            "temperature": .number(temperature), "top_p": .number(topP), "top_k": .number(Double(topK)),
            "eval_every": .number(Double(evalEvery)), "eval_prompts": .number(Double(evalPrompts)),
            "eval_split": .string(evalSplit), "train_split": .string(trainSplit),
            "checkpoint_every": .number(Double(checkpointEvery)), "use_lora": .bool(useLoRA), "use_4bit": .bool(use4Bit),
            "bf16_base": .bool(bf16Base), "skip_inert_groups": .bool(skipInertGroups),
            "critic_model": .string(separateCritic ? "separate" : "shared"), "critic_warmup": .number(Double(criticWarmupSteps)),
            "critic_learning_rate": criticLearningRate.map(JSONValue.number) ?? .null,
            "mask_truncated_completions": .bool(maskTruncatedCompletions), "mini_batches": .number(Double(miniBatches)),
            "autocast": autocast.map { .string($0 == .bfloat16 ? "bf16" : "fp16") } ?? .string("none"),
            "lora_r": .number(Double(lora.rank)), "lora_alpha": .number(lora.alpha), "lora_dropout": .number(lora.dropout),
            "gradient_spike_factor": gradientSpikeFactor.map(JSONValue.number) ?? .null,
            "block_length": .number(Double(diffusion.blockLength)), "diffusion_steps": .number(Double(diffusion.steps)),
            "remasking": .string(diffusion.remasking.rawValue), "guidance_scale": .number(diffusion.guidanceScale),
            "p_mask": .number(diffusion.promptMaskRate), "random_masking": .bool(diffusion.randomMasking),
            "kl_target": stability.klTarget.map(JSONValue.number) ?? .null, "kl_lr_factor": .number(stability.klRateFactor),
            "entropy_floor": stability.entropyFloor.map(JSONValue.number) ?? .null,
            "entropy_bonus_step": .number(stability.entropyBonusStep), "entropy_bonus_max": .number(stability.entropyBonusMax),
            "stop_on_collapse": .bool(stability.stopOnCollapse), "collapse_entropy": .number(stability.collapseEntropy),
            "collapse_patience": .number(Double(stability.collapsePatience)), "max_nonfinite_steps": .number(Double(maxNonFiniteSteps)),
        ])
    }
}
