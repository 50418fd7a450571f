import Engine
import Foundation
import Models
import RLRunSDK
import Tokenizers
import Training

/// Seconds per RL step of a loaded algorithm plugin (GRPO by default) on random-weight models
/// of `ModelBenchmark`'s shapes: prompts of 32 random tokens, a group of G completions each of
/// exactly `newTokens` tokens (no stop token can be sampled), one optimizer step per
/// generation, no reference model. Benchmarks/trl_grpo_bench.py measures TRL's GRPOTrainer
/// with the same settings.
public struct TrainBenchmark: Sendable {
    public struct Result: Codable, Sendable {
        public let model: String
        public let parameters: Int
        public let algorithm: String
        public let prompts: Int
        public let group: Int
        public let newTokens: Int
        public let secondsPerStepMean: Double
        public let secondsPerStepMin: Double
        /// Mean seconds of the step spent generating and updating.
        public let generationSeconds: Double
        public let updateSeconds: Double
        /// LoRA rank (nil: every weight trained) and whether the base was 4-bit.
        public let loraRank: Int?
        public let fourBit: Bool
        /// Whether the frozen base's matrices were bf16 (under float32 compute).
        public let bf16Base: Bool
        /// The mixed precision of training passes and rollouts ("bf16", "fp16"; nil: float32 throughout).
        public let autocast: String?
        /// Peak resident memory over the timed steps (Linux; nil elsewhere).
        public let peakMemoryMB: Double?
    }

    public var shapes: [String] = ["tiny", "small"]
    public var promptsPerStep = 8
    public var groupSize = 8
    public var newTokens = 64
    public var promptTokens = 32
    public var warmupSteps = 2
    public var timedSteps = 5
    public var device: Device = .cpu
    /// Train LoRA adapters of this rank instead of every weight.
    public var loraRank: Int?
    /// A frozen 4-bit NF4 base under the adapters (needs `loraRank`).
    public var fourBit = false
    /// The adapters' frozen base kept in bf16 under float32 compute (needs `loraRank`).
    public var bf16Base = false
    /// Mixed precision of the training passes and the rollouts: "bf16" or "fp16"
    /// (TrainingConfiguration's `autocast`); nil computes in float32.
    public var autocast: String?

    public init() {}

    public func run(algorithm: any Algorithm, algorithmName: String, progress: (Result) -> Void = { _ in }) throws -> [Result] {
        try shapes.map { name in
            guard let shape = ModelBenchmark.shapes.first(where: { $0.name == name }) else {
                throw ModelError("unknown benchmark model '\(name)'; known: \(ModelBenchmark.shapes.map(\.name).joined(separator: ", "))")
            }
            let vocabulary = shape.configuration.vocabularySize
            let model = try Transformer(configuration: shape.configuration, weights: .random(
                generator: Generator(seed: 0), std: 0.02, dtype: .float32, weightDType: bf16Base ? .bfloat16 : nil, device: device))
            if fourBit { _ = try model.quantizeBase(blockSize: 64) }
            if let loraRank {
                try model.addLoRA(LoRAConfiguration(rank: loraRank, alpha: Double(2 * loraRank), dropout: 0), generator: Generator(seed: 1))
            }
            let policy = try Policy(model: model, tokenizer: RandomIDTokenizer(vocabularySize: vocabulary),
                                    formatPrompt: { $0.prompt })
            var settings = TrainingConfiguration()
            settings = try settings.applying([
                "prompts_per_step": .number(Double(promptsPerStep)), "group_size": .number(Double(groupSize)), "mu": 1,
                "max_new_tokens": .number(Double(newTokens)), "micro_batch_size": .number(Double(promptsPerStep * groupSize)),
                "learning_rate": 1e-6, "temperature": 1.0, "steps": .number(Double(warmupSteps + timedSteps)),
                "autocast": .string(autocast ?? "none"),
            ], source: "bench train")
            let trainer = try Trainer(policy: policy, algorithm: algorithm,
                                      rewards: RewardComposer([.init(name: "even", weight: 1, reward: EvenIDsReward())]),
                                      dataset: RandomPrompts(vocabularySize: vocabulary, length: promptTokens),
                                      configuration: settings)
            for _ in 0..<warmupSteps { try trainer.trainStep() }
            PeakMemory.reset(returningFreedMemory: fourBit)
            var seconds: [Double] = [], generation: [Double] = [], update: [Double] = []
            for _ in 0..<timedSteps {
                let started = Date()
                let m = try trainer.trainStep()
                seconds.append(Date().timeIntervalSince(started))
                generation.append(m["time_generation"] ?? 0)
                update.append(m["time_update"] ?? 0)
                guard m["completion_length_mean"] == Double(newTokens) else {
                    throw ModelError("benchmark completions were \(m["completion_length_mean"] ?? 0) tokens, not \(newTokens)")
                }
            }
            func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(1, values.count)) }
            let result = Result(model: name, parameters: model.parameters().map { $0.1.count }.reduce(0, +), algorithm: algorithmName,
                                prompts: promptsPerStep, group: groupSize, newTokens: newTokens,
                                secondsPerStepMean: mean(seconds), secondsPerStepMin: seconds.min() ?? 0,
                                generationSeconds: mean(generation), updateSeconds: mean(update),
                                loraRank: loraRank, fourBit: fourBit, bf16Base: bf16Base, autocast: autocast, peakMemoryMB: PeakMemory.megabytes())
            progress(result)
            return result
        }
    }
}

/// Prompts of `length` random ids, written as text the `RandomIDTokenizer` reads back.
private final class RandomPrompts: Dataset {
    let splits = ["train"]
    let vocabularySize: Int
    let length: Int
    init(vocabularySize: Int, length: Int) {
        self.vocabularySize = vocabularySize
        self.length = length
    }
    func count(split: String) throws -> Int { 1_000 }
    func item(split: String, index: Int) throws -> DatasetItem {
        var state = UInt64(index) &* 0x9E37_79B9_7F4A_7C15 &+ 1
        let ids = (0..<length).map { _ -> Int in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return 4 + Int((state >> 33) % UInt64(vocabularySize - 4))
        }
        return DatasetItem(prompt: ids.map(String.init).joined(separator: " "), reference: "")
    }
}

/// Space-separated decimal ids; its end-of-sequence id lies outside the model's vocabulary,
/// so sampling never stops early and every completion has the same length.
private struct RandomIDTokenizer: Tokenizer {
    let vocabularySize: Int
    var eosTokenIDs: Set<Int> { [vocabularySize] }
    var padTokenID: Int? { 0 }
    var bosTokenID: Int? { nil }
    func encode(_ text: String) throws -> [Int] { text.split(separator: " ").compactMap { Int($0) } }
    func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String { ids.map(String.init).joined(separator: " ") }
    func id(of token: String) -> Int? { Int(token) }
    func token(of id: Int) -> String? { String(id) }
}

/// The fraction of even ids in a completion: cheap, so the step time is the model's.
private final class EvenIDsReward: RewardFunction {
    func score(_ batch: RewardBatch) throws -> RewardScores {
        RewardScores(rewards: batch.completions.map { text in
            let ids = text.split(separator: " ").compactMap { Int($0) }
            return ids.isEmpty ? 0 : Double(ids.filter { $0 % 2 == 0 }.count) / Double(ids.count)
        })
    }
}

/// The process's peak resident set (VmHWM), restartable so a benchmark can measure only its
/// timed part (Linux /proc; nil where that is missing).
enum PeakMemory {
    static func reset(returningFreedMemory: Bool) {
        // Freed memory the allocator still holds (the dense weights a 4-bit base replaced)
        // goes back to the system first, so the peak starts from what is in use. Only then:
        // the steps' own freed blocks would go too, and the timed steps would page-fault
        // them back in (clear_page was 6% of the tiny shape's samples).
        #if os(Linux)
        if returningFreedMemory { _ = glibcMallocTrim(0) }
        #endif
        // "5" resets the peak to the current resident size (proc(5), clear_refs).
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    static func megabytes() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kilobytes / 1024
    }
}

#if os(Linux)
/// glibc's malloc_trim(3), which the Glibc module does not export.
@_silgen_name("malloc_trim") private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
