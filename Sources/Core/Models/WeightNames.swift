/// How a checkpoint spells the model's parameter names. Layers ask for their tensors by the
/// Hugging Face Qwen2 / Llama name (`model.layers.0.self_attn.q_proj.weight`); an architecture
/// that is the same transformer under other names (LLaDA) maps them here, so that it loads
/// through the same layers and the same code path.
public struct WeightNames: Sendable {
    /// The checkpoint's name for a parameter's Hugging Face name.
    public let checkpointName: @Sendable (String) -> String

    public init(_ checkpointName: @escaping @Sendable (String) -> String) { self.checkpointName = checkpointName }

    /// Checkpoints that use the Hugging Face names themselves.
    public static let huggingFace = WeightNames { $0 }

    /// The naming used by checkpoints of `modelType` (config.json's `model_type`).
    public static func of(modelType: String) -> WeightNames { modelType == "llada" ? .llada : .huggingFace }
}
