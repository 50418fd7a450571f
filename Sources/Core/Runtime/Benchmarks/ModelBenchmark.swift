import Engine
import Foundation
import Models

/// Generation and training throughput of random-weight models of known shapes: what a step
/// of RL costs, comparable with Hugging Face transformers on the same shapes and CPU.
public struct ModelBenchmark: Sendable {
    public struct Shape: Sendable {
        public let name: String
        public let configuration: ModelConfiguration
    }

    /// tiny: the built-in policy's size; small: a ~30M model; qwen0.5b: Qwen2.5-0.5B's shape.
    public static let shapes: [Shape] = [
        Shape(name: "tiny", configuration: ModelConfiguration(
            modelType: "llama", hiddenSize: 160, layers: 4, attentionHeads: 4, keyValueHeads: 2, intermediateSize: 480,
            maxPositions: 1024, vocabularySize: 100, tieWordEmbeddings: true)),
        Shape(name: "small", configuration: ModelConfiguration(
            modelType: "qwen2", hiddenSize: 384, layers: 8, attentionHeads: 6, keyValueHeads: 2, intermediateSize: 1024,
            ropeTheta: 1_000_000, maxPositions: 1024, vocabularySize: 8192, tieWordEmbeddings: true, attentionBias: true)),
        Shape(name: "qwen0.5b", configuration: ModelConfiguration(
            modelType: "qwen2", hiddenSize: 896, layers: 24, attentionHeads: 14, keyValueHeads: 2, intermediateSize: 4864,
            rmsNormEps: 1e-6, ropeTheta: 1_000_000, maxPositions: 32768, vocabularySize: 151_936, tieWordEmbeddings: true,
            attentionBias: true)),
    ]

    public struct Result: Codable, Sendable {
        public let model: String
        public let parameters: Int
        public let task: String
        public let batch: Int
        public let newTokens: Int
        public let tokensPerSecond: Double
        public let seconds: Double
        /// Generation: GB/s of weights read, each decoding step reading every weight once
        /// (compare with `rlrun bench engine`'s memory read: at batch 1 that is the bound).
        public var weightGBPerSecond: Double? = nil
    }

    public var shapes: [String]
    public var batches: [Int]
    public var newTokens: [Int]
    public var promptTokens: Int
    public var dtype: DType
    /// bf16 weight matrices under float32 compute (nil: the compute dtype). Generation only:
    /// the training rows need weights in the dtype their gradients are kept in.
    public var weightDType: DType?
    /// Whether to measure forward + backward after generation.
    public var train: Bool
    public var device: Device

    public init(shapes: [String] = ["tiny", "small"], batches: [Int] = [1, 8], newTokens: [Int] = [64, 256],
                promptTokens: Int = 32, dtype: DType = .float32, weightDType: DType? = nil, train: Bool = true,
                device: Device = .cpu) {
        self.shapes = shapes
        self.batches = batches
        self.newTokens = newTokens
        self.promptTokens = promptTokens
        self.dtype = dtype
        self.weightDType = weightDType
        self.train = train
        self.device = device
    }

    public func run(progress: (Result) -> Void = { _ in }) throws -> [Result] {
        var results: [Result] = []
        for name in shapes {
            guard let shape = Self.shapes.first(where: { $0.name == name }) else {
                throw ModelError("unknown benchmark model '\(name)'; known: \(Self.shapes.map(\.name).joined(separator: ", "))")
            }
            let generator = try Generator(seed: 0, device: device)
            let model = try Transformer(configuration: shape.configuration,
                                        weights: .random(generator: generator, std: 0.02, dtype: dtype, weightDType: weightDType,
                                                                         device: device))
            let parameters = model.parameters().map { $0.1.count }.reduce(0, +)
            // What one decoding step reads: every weight but an untied embedding (one row of it).
            let embeddingBytes = model.embedding.count * model.embedding.dtype.byteSize
            let stepBytes = model.parameters().map { $0.1.count * $0.1.dtype.byteSize }.reduce(0, +)
                - (model.head == nil ? 0 : embeddingBytes)
            let vocabulary = shape.configuration.vocabularySize
            func prompts(_ batch: Int) throws -> [[Int]] {
                let ids = try Tensor.randint(4, vocabulary, [batch, promptTokens], generator: generator).toArray(Int.self)
                return (0..<batch).map { Array(ids[($0 * promptTokens)..<(($0 + 1) * promptTokens)]) }
            }
            // Warm-up: first calls allocate and pick kernels.
            _ = try model.generate(prompts: prompts(1), options: SamplingOptions(maxNewTokens: 4), generator: generator)
            for batch in batches {
                for count in newTokens {
                    let input = try prompts(batch)
                    let started = Date()
                    // No stop tokens: every sequence generates exactly `count` tokens.
                    _ = try model.generate(prompts: input, options: SamplingOptions(temperature: 1, maxNewTokens: count),
                                           generator: generator)
                    let seconds = Date().timeIntervalSince(started)
                    let result = Result(model: name, parameters: parameters, task: "generate", batch: batch, newTokens: count,
                                        tokensPerSecond: Double(batch * count) / seconds, seconds: seconds,
                                        weightGBPerSecond: Double(stepBytes) * Double(count) / seconds / 1e9)
                    results.append(result)
                    progress(result)
                }
            }
            for batch in batches where train && model.weightDType == model.dtype {
                let count = newTokens.max() ?? 64
                let completions = try prompts(batch).map { Array($0.prefix(0)) + Array(repeating: 5, count: count) }
                let data = try CompletionBatch(prompts: prompts(batch), completions: completions, padTokenID: 0, device: device)
                let weights = model.parameters().map(\.1)
                for weight in weights { try weight.requiringGrad() }
                func pass() throws {
                    let (logProbs, _) = try model.completionLogProbs(data)
                    try (logProbs * data.mask).sum().backward()
                    for weight in weights { try weight.zeroGrad() }
                }
                try pass()
                let started = Date()
                try pass()
                let seconds = Date().timeIntervalSince(started)
                for weight in weights { try weight.requiringGrad(false) }
                let tokens = batch * (promptTokens + count)
                let result = Result(model: name, parameters: parameters, task: "train", batch: batch, newTokens: count,
                                    tokensPerSecond: Double(tokens) / seconds, seconds: seconds)
                results.append(result)
                progress(result)
            }
        }
        return results
    }
}
