import Engine
import Models
import RLRunSDK

/// Greedy completions for the first `prompts` items of a held-out split, scored by the
/// rewards: held-out accuracy and mean reward, comparable across steps and runs.
public struct Evaluator {
    public let policy: Policy
    public let rewards: RewardComposer
    public let dataset: any Dataset
    public let split: String
    public let prompts: Int
    /// The training sampler; evaluation uses its greedy form.
    public let sampling: PolicySampling
    public let batchSize: Int
    /// The ranks of a data-parallel run: each answers its share of the prompts.
    public var group: ProcessGroup?

    public init(policy: Policy, rewards: RewardComposer, dataset: any Dataset, split: String, prompts: Int,
                sampling: PolicySampling, batchSize: Int = 32) {
        self.policy = policy
        self.rewards = rewards
        self.dataset = dataset
        self.split = split
        self.prompts = prompts
        self.sampling = sampling.greedy
        self.batchSize = batchSize
    }

    public struct Result: Sendable {
        public let accuracy: Double?
        public let meanReward: Double
        public let samples: [(prompt: String, completion: String, reward: Double)]
    }

    public func run() throws -> Result {
        let count = min(prompts, try dataset.count(split: split))
        let rank = group?.rank ?? 0, ranks = group?.worldSize ?? 1
        let mine = (count * rank / ranks)..<(count * (rank + 1) / ranks)
        let items = try mine.map { try dataset.item(split: split, index: $0) }
        let all = try Self.answer(items, policy: policy, sampling: sampling, rewards: rewards, batchSize: batchSize)
        let known = all.correct.compactMap { $0 }
        var totals = [known.reduce(0, +), Double(known.count), all.rewards.reduce(0, +), Double(all.count)]
        if let group { totals = try group.sum(totals) }
        return Result(accuracy: totals[1] == 0 ? nil : totals[0] / totals[1],
                      meanReward: totals[2] / max(1, totals[3]),
                      samples: (0..<min(3, all.count)).map { (policy.formatPrompt(all.items[$0]), all.texts[$0], all.rewards[$0]) })
    }

    /// One greedy completion per item (generator seed 0, batches without gradients), scored, with
    /// every item's result kept: held-out evaluation during training and `rlrun eval`'s paired
    /// statistics both read from this.
    public static func answer(_ items: [DatasetItem], policy: Policy, sampling: PolicySampling, rewards: RewardComposer,
                              batchSize: Int = 32) throws -> GeneratedBatch {
        let collector = RolloutCollector(policy: policy, rewards: rewards, groupSize: 1, sampling: sampling.greedy)
        let generator = try Generator(seed: 0, device: policy.model.device)
        var all = GeneratedBatch(groupSize: 1)
        policy.model.setTraining(false)
        for start in stride(from: 0, to: items.count, by: batchSize) {
            let chunk = Array(items[start..<min(start + batchSize, items.count)])
            let batch = try withNoGrad { try collector.collect(chunk, generator: generator) }
            all.append(batch, keepingGroups: Array(repeating: true, count: batch.groupCount))
        }
        return all
    }
}
