/// How to pick each next token.
public struct SamplingOptions: Sendable, Equatable, Codable {
    /// 0 = greedy (argmax).
    public var temperature: Double
    /// Nucleus sampling: keep the smallest set of tokens whose probability reaches top_p.
    public var topP: Double
    /// Keep only the k most likely tokens; 0 = all.
    public var topK: Int
    public var maxNewTokens: Int
    /// Token ids that end a completion (included in it, like Hugging Face's generate).
    public var stopTokenIDs: Set<Int>

    public init(temperature: Double = 1, topP: Double = 1, topK: Int = 0, maxNewTokens: Int = 64, stopTokenIDs: Set<Int> = []) {
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.maxNewTokens = maxNewTokens
        self.stopTokenIDs = stopTokenIDs
    }

    public static func greedy(maxNewTokens: Int, stopTokenIDs: Set<Int>) -> SamplingOptions {
        SamplingOptions(temperature: 0, maxNewTokens: maxNewTokens, stopTokenIDs: stopTokenIDs)
    }
}

/// Why a completion ended.
public enum StopReason: String, Sendable, Codable {
    /// A stop token was generated.
    case stopToken = "stop"
    /// The caller's stop check (e.g. a stop string) matched.
    case stopCondition = "stop_condition"
    /// `maxNewTokens` reached without stopping: the completion is truncated.
    case length
}

/// Completions for a batch of prompts.
public struct GenerationResult: Sendable {
    /// Generated ids per prompt, including the stop token when there was one.
    public var tokens: [[Int]]
    /// log p(token) under the sampling distribution softmax(logits / temperature) (the
    /// behaviour policy, before top-k/top-p filtering); under softmax(logits) when greedy.
    public var logProbs: [[Float]]
    public var stopReasons: [StopReason]
}
