import Models
import RLRunSDK

/// Completions of one step: `groupSize` consecutive completions per prompt, with what
/// sampling and the rewards said about each.
public struct GeneratedBatch {
    public let groupSize: Int
    public var items: [DatasetItem] = []
    public var prompts: [[Int]] = []
    public var completions: [[Int]] = []
    /// Behaviour log-probs per completion token; nil when the sampler gives none (block diffusion).
    public var samplingLogProbs: [[Float]]? = []
    /// What training scores per completion (see `SampledCompletions.regions`).
    public var regions: [[Int]] = []
    public var texts: [String] = []
    public var stopReasons: [StopReason] = []
    public var rewards: [Double] = []
    public var components: [String: RewardComponent] = [:]
    /// Task success per completion, from a reward component named "accuracy" when one exists.
    public var correct: [Double?] = []

    public init(groupSize: Int) { self.groupSize = groupSize }

    public var count: Int { completions.count }
    public var groupCount: Int { count / groupSize }

    public func rollout(maxNewTokens: Int) -> Rollout {
        Rollout(groupSize: groupSize, maxNewTokens: maxNewTokens, completionTokens: completions.map(\.count),
                truncated: stopReasons.map { $0 == .length }, correct: correct)
    }

    /// Appends the groups of `other` whose flag in `keep` is set.
    public mutating func append(_ other: GeneratedBatch, keepingGroups keep: [Bool]) {
        append(other, rows: keep.indices.filter { keep[$0] }.flatMap { g in (g * other.groupSize)..<((g + 1) * other.groupSize) })
    }

    /// Appends the completions at `rows` of `other`, in that order.
    public mutating func append(_ other: GeneratedBatch, rows: [Int]) {
        items += rows.map { other.items[$0] }
        prompts += rows.map { other.prompts[$0] }
        completions += rows.map { other.completions[$0] }
        if let theirs = other.samplingLogProbs, let ours = samplingLogProbs {
            samplingLogProbs = ours + rows.map { theirs[$0] }
        } else {
            samplingLogProbs = nil
        }
        regions += rows.map { other.regions[$0] }
        texts += rows.map { other.texts[$0] }
        stopReasons += rows.map { other.stopReasons[$0] }
        rewards += rows.map { other.rewards[$0] }
        correct += rows.map { other.correct[$0] }
        for (name, component) in other.components {
            let picked = component.picking(rows)
            components[name] = components[name].map { $0.appending(picked) } ?? picked
        }
    }

    /// Whole groups of `groupSize` from a screen (`screened`, groups of its own size) and the
    /// rest of each group sampled afterwards (`rest`): group j is screened group `passed[j]`
    /// followed by rest's group j.
    public static func joining(screened: GeneratedBatch, passed: [Int], rest: GeneratedBatch) -> GeneratedBatch {
        var joined = GeneratedBatch(groupSize: screened.groupSize + rest.groupSize)
        let (first, second) = (screened.groupSize, rest.groupSize)
        for (j, g) in passed.enumerated() {
            joined.append(screened, rows: Array((g * first)..<((g + 1) * first)))
            joined.append(rest, rows: Array((j * second)..<((j + 1) * second)))
        }
        return joined
    }
}

extension RewardComponent {
    /// The values at `rows`, in that order.
    func picking(_ rows: [Int]) -> RewardComponent {
        switch self {
        case .numbers(let values): .numbers(rows.map { values[$0] })
        case .labels(let values): .labels(rows.map { values[$0] })
        }
    }

    /// These values followed by `other`'s (labels when either is labels).
    func appending(_ other: RewardComponent) -> RewardComponent {
        switch (self, other) {
        case (.numbers(let a), .numbers(let b)): .numbers(a + b)
        default: .labels(labels + other.labels)
        }
    }

    var labels: [String] {
        switch self {
        case .numbers(let values): values.map { "\($0)" }
        case .labels(let values): values
        }
    }
}
