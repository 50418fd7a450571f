import Engine

public enum PolicyKind: UInt32, Sendable {
    case causal = 0
    case maskedDiffusion = 1
}

/// What an algorithm needs from the trainer, and the trainer settings it suggests.
public struct AlgorithmRequirements: Sendable, Equatable {
    public var policy: PolicyKind
    public var needsReference: Bool
    public var needsCritic: Bool
    public var needsEntropy: Bool
    /// A sequence whose advantages are all 0 adds nothing to the loss or its gradient (no KL,
    /// entropy or value term): the trainer may leave groups of them out of the update passes.
    public var zeroAdvantageIsInert: Bool
    public var groupSize: Int
    public var mu: Int
    /// Extra generation rounds allowed to fill a batch (dynamic sampling); 0 = never.
    public var maxGenerationRounds: Int
    public var trainerDefaults: [String: JSONValue]

    public init(policy: PolicyKind = .causal, needsReference: Bool = false, needsCritic: Bool = false,
                needsEntropy: Bool = false, zeroAdvantageIsInert: Bool = false, groupSize: Int, mu: Int = 1,
                maxGenerationRounds: Int = 0, trainerDefaults: [String: JSONValue] = [:]) {
        self.policy = policy
        self.needsReference = needsReference
        self.needsCritic = needsCritic
        self.needsEntropy = needsEntropy
        self.zeroAdvantageIsInert = zeroAdvantageIsInert
        self.groupSize = groupSize
        self.mu = mu
        self.maxGenerationRounds = maxGenerationRounds
        self.trainerDefaults = trainerDefaults
    }
}

/// A generated batch: `count` completions in groups of `groupSize` consecutive ones.
public struct Rollout: Sendable {
    public var groupSize: Int
    public var maxNewTokens: Int
    public var completionTokens: [Int]
    public var truncated: [Bool]
    /// Task success per completion (1 or 0), nil where unknown.
    public var correct: [Double?]

    public var count: Int { completionTokens.count }
    public var groupCount: Int { groupSize > 0 ? count / groupSize : 0 }

    public init(groupSize: Int, maxNewTokens: Int, completionTokens: [Int], truncated: [Bool], correct: [Double?]) {
        self.groupSize = groupSize
        self.maxNewTokens = maxNewTokens
        self.completionTokens = completionTokens
        self.truncated = truncated
        self.correct = correct
    }
}

/// N completions, T = longest completion; float32.
public struct AdvantageInputs {
    public var rollout: Rollout
    public var rewards: Tensor          // [N]
    public var mask: Tensor             // [N, T]
    public var oldLogProbs: Tensor      // [N, T]
    public var refLogProbs: Tensor?     // [N, T]
    public var values: Tensor?          // [N, T]

    public init(rollout: Rollout, rewards: Tensor, mask: Tensor, oldLogProbs: Tensor, refLogProbs: Tensor? = nil,
                values: Tensor? = nil) {
        self.rollout = rollout
        self.rewards = rewards
        self.mask = mask
        self.oldLogProbs = oldLogProbs
        self.refLogProbs = refLogProbs
        self.values = values
    }
}

public struct AdvantageOutputs {
    /// [N, T], or [N] broadcast over tokens.
    public var advantages: Tensor
    /// [N, T] value targets, for algorithms with a critic.
    public var returns: Tensor?

    public init(advantages: Tensor, returns: Tensor? = nil) {
        self.advantages = advantages
        self.returns = returns
    }
}

/// One micro-batch of n sequences, and the size of the optimizer step it belongs to.
public struct LossInputs {
    public var logProbs: Tensor         // [n, T], requires grad
    public var oldLogProbs: Tensor
    public var refLogProbs: Tensor?
    public var advantages: Tensor
    public var mask: Tensor
    public var entropy: Tensor?
    public var values: Tensor?
    public var oldValues: Tensor?
    public var returns: Tensor?
    /// Valid tokens and sequences in the whole optimizer step (all micro-batches and ranks).
    public var stepTokens: Double
    public var stepSequences: Double
    public var maxNewTokens: Int

    public init(logProbs: Tensor, oldLogProbs: Tensor, refLogProbs: Tensor? = nil, advantages: Tensor, mask: Tensor,
                entropy: Tensor? = nil, values: Tensor? = nil, oldValues: Tensor? = nil, returns: Tensor? = nil,
                stepTokens: Double, stepSequences: Double, maxNewTokens: Int) {
        self.logProbs = logProbs
        self.oldLogProbs = oldLogProbs
        self.refLogProbs = refLogProbs
        self.advantages = advantages
        self.mask = mask
        self.entropy = entropy
        self.values = values
        self.oldValues = oldValues
        self.returns = returns
        self.stepTokens = stepTokens
        self.stepSequences = stepSequences
        self.maxNewTokens = maxNewTokens
    }
}

public struct LossOutputs {
    /// Scalar; the trainer sums the gradients of the micro-batch losses of one step.
    public var loss: Tensor
    /// Named diagnostics (clip fractions, ratio mean, KL, ...), in a stable order.
    public var metrics: [(name: String, value: Double)]

    public init(loss: Tensor, metrics: [(name: String, value: Double)] = []) {
        self.loss = loss
        self.metrics = metrics
    }
}

/// A policy-optimisation algorithm: reward shaping, group filtering, advantages and loss.
/// The trainer drives generation, log-prob passes and optimisation, and never branches on
/// which algorithm it runs.
public protocol Algorithm: AnyObject {
    var requirements: AlgorithmRequirements { get }
    /// Adjusts rewards in place (e.g. soft overlong punishment). Default: unchanged.
    func shapeRewards(_ rewards: inout [Double], rollout: Rollout) throws
    /// Which groups to train on (e.g. dynamic sampling). Default: all.
    func keepGroups(rewards: [Double], rollout: Rollout) throws -> [Bool]
    func advantages(_ inputs: AdvantageInputs) throws -> AdvantageOutputs
    func loss(_ inputs: LossInputs) throws -> LossOutputs
}

extension Algorithm {
    public func shapeRewards(_ rewards: inout [Double], rollout: Rollout) throws {}

    public func keepGroups(rewards: [Double], rollout: Rollout) throws -> [Bool] {
        Array(repeating: true, count: rollout.groupCount)
    }
}
