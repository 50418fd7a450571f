/// Which positions of a batch of token sequences may be masked, and what the run knows now.
public struct MaskingRequest: Sendable {
    public var batch: Int
    public var length: Int
    /// Row-major [batch × length].
    public var tokens: [Int64]
    public var eligible: [Bool]
    /// The model's top probability per position, when the strategy asked for it.
    public var confidence: [Float]?
    /// Attention each position receives, when the strategy asked for it.
    public var attention: [Float]?
    /// Training progress in [0, 1].
    public var progress: Double
    public var recentReward: Double?
    public var recentAccuracy: Double?
    public var seed: UInt64

    public init(batch: Int, length: Int, tokens: [Int64], eligible: [Bool], confidence: [Float]? = nil,
                attention: [Float]? = nil, progress: Double, recentReward: Double? = nil,
                recentAccuracy: Double? = nil, seed: UInt64) {
        self.batch = batch
        self.length = length
        self.tokens = tokens
        self.eligible = eligible
        self.confidence = confidence
        self.attention = attention
        self.progress = progress
        self.recentReward = recentReward
        self.recentAccuracy = recentAccuracy
        self.seed = seed
    }
}

public struct MaskingChoice: Sendable, Equatable {
    /// Row-major [batch × length]; true = masked. Only eligible positions may be true.
    public var mask: [Bool]
    /// The rate the strategy aimed for (logged).
    public var rate: Double

    public init(mask: [Bool], rate: Double) {
        self.mask = mask
        self.rate = rate
    }
}

/// Decides which tokens to mask (diffu-GRPO's log-prob estimate, masked-diffusion SFT).
public protocol MaskingStrategy: AnyObject {
    /// Whether `choose` needs `confidence` (and `attention`) filled in by the host.
    static var needsConfidence: Bool { get }
    static var needsAttention: Bool { get }
    func choose(_ request: MaskingRequest) throws -> MaskingChoice
}

extension MaskingStrategy {
    public static var needsConfidence: Bool { false }
    public static var needsAttention: Bool { false }
}
