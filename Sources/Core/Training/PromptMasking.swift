import Engine
import Models
import RLRunSDK

/// Chooses which prompt tokens diffu-GRPO's log-prob estimate masks: a masking plugin seen
/// from the trainer (the host wraps a loaded plugin into one of these).
public struct PromptMasker {
    /// The plugin wants the model's confidence (top probability) at every prompt position.
    public var needsConfidence: Bool
    /// The plugin wants the attention every prompt position receives (last layer).
    public var needsAttention: Bool
    public var choose: (MaskingRequest) throws -> MaskingChoice

    public init(needsConfidence: Bool = false, needsAttention: Bool = false,
                choose: @escaping (MaskingRequest) throws -> MaskingChoice) {
        self.needsConfidence = needsConfidence
        self.needsAttention = needsAttention
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
    /// One flag per prompt token (true = masked) for every row; padding is never eligible.
    /// Each row is its own request, seeded by `seed` and the row itself (prompt, completion and
    /// place in its group), so a row's mask does not depend on the rows beside it: a
    /// data-parallel rank masks its rows as one process would. The rate is the rows' mean.
    func promptMasks(prompts: [[Int]], completions: [[Int]], groupSize: Int, seed: UInt64, context: MaskingContext,
                     confidence: [Float]?, attention: [Float]? = nil) throws -> (masks: [[Bool]], rate: Double) {
        let width = prompts.map(\.count).max() ?? 0
        var masks: [[Bool]] = [], rates: [Double] = []
        for (row, prompt) in prompts.enumerated() {
            // [B, W] values of left-padded prompts: the row's last prompt.count of them.
            func ofRow(_ values: [Float]?) -> [Float]? { values.map { Array($0[(row * width + width - prompt.count)..<((row + 1) * width)]) } }
            let choice = try choose(MaskingRequest(
                batch: 1, length: prompt.count, tokens: prompt.map(Int64.init), eligible: Array(repeating: true, count: prompt.count),
                confidence: ofRow(confidence), attention: ofRow(attention), progress: context.progress, recentReward: context.recentReward,
                recentAccuracy: context.recentAccuracy,
                seed: Self.rowSeed(seed, prompt: prompt, completion: completions[row], member: row % max(1, groupSize))))
            masks.append(Array(choice.mask.prefix(prompt.count)))
            rates.append(choice.rate)
        }
        return (masks, rates.reduce(0, +) / Double(max(1, rates.count)))
    }

    /// The update's seed mixed with the row's place in its group and its tokens (the trainer's
    /// SplitMix64 step, folded over them).
    static func rowSeed(_ seed: UInt64, prompt: [Int], completion: [Int], member: Int) -> UInt64 {
        let tokens = prompt.map { UInt64(bitPattern: Int64($0)) } + [UInt64.max] + completion.map { UInt64(bitPattern: Int64($0)) }
        return tokens.reduce(Trainer.mix(seed, UInt64(member))) { Trainer.mix($0, $1) }
    }
}
