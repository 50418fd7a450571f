import Engine
import Models
import RLRunSDK

/// Chooses which prompt tokens diffu-GRPO's log-prob estimate masks: a masking plugin seen
/// from the trainer (the host wraps a loaded plugin into one of these).
public struct PromptMasker {
    /// The plugin wants the model's confidence (top probability) at every prompt position.
    public var needsConfidence: Bool
    public var choose: (MaskingRequest) throws -> MaskingChoice

    public init(needsConfidence: Bool = false, choose: @escaping (MaskingRequest) throws -> MaskingChoice) {
        self.needsConfidence = needsConfidence
        self.choose = choose
    }
}

/// What the masking plugin is told about the run when it chooses.
struct MaskingContext {
    var progress: Double
    var recentReward: Double?
    var recentAccuracy: Double?
}

extension PromptMasker {
    /// One flag per prompt token (true = masked) for every row, from one request over the
    /// left-padded prompts; padding is never eligible.
    func promptMasks(prompts: [[Int]], seed: UInt64, context: MaskingContext, confidence: [Float]?) throws
        -> (masks: [[Bool]], rate: Double) {
        let width = prompts.map(\.count).max() ?? 0
        var tokens: [Int64] = [], eligible: [Bool] = []
        for prompt in prompts {
            let pad = width - prompt.count
            tokens += Array(repeating: 0, count: pad) + prompt.map(Int64.init)
            eligible += Array(repeating: false, count: pad) + Array(repeating: true, count: prompt.count)
        }
        let choice = try choose(MaskingRequest(
            batch: prompts.count, length: width, tokens: tokens, eligible: eligible, confidence: confidence,
            progress: context.progress, recentReward: context.recentReward, recentAccuracy: context.recentAccuracy, seed: seed))
        let masks = prompts.enumerated().map { row, prompt in
            Array(choice.mask[(row * width + width - prompt.count)..<((row + 1) * width)])
        }
        return (masks, choice.rate)
    }
}
