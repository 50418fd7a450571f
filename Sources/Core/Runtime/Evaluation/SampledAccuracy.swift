import Foundation

/// Accuracy when sampling: n completions per item at the training temperature, and pass@k,
/// the chance that at least one of k of them is right. pass@k of the starting policy bounds
/// what RL that only sharpens the policy (makes likely what it already sometimes samples) can
/// reach in greedy accuracy; beyond it, RL has to teach what no sample yet gets right.
public struct SampledAccuracy: Sendable, Equatable {
    public let samplesPerItem: Int
    public let temperature: Double
    /// Per item, how many of its samples are right.
    public let correctCounts: [Int]

    public init(samplesPerItem: Int, temperature: Double, correctCounts: [Int]) {
        self.samplesPerItem = samplesPerItem
        self.temperature = temperature
        self.correctCounts = correctCounts
    }

    /// The unbiased estimate from n samples with c right, averaged over items (Chen et al. 2021):
    /// 1 - C(n - c, k) / C(n, k), computed as a product so that large n stays exact enough.
    public func passAt(_ k: Int) -> Double {
        precondition(k >= 1 && k <= samplesPerItem, "pass@k needs 1 <= k <= samples per item")
        guard !correctCounts.isEmpty else { return 0 }
        let n = samplesPerItem
        let total = correctCounts.reduce(0.0) { sum, c in
            if n - c < k { return sum + 1 }
            // C(n-c, k) / C(n, k) = prod_{i = n-c+1}^{n} (1 - k / i)
            var allWrong = 1.0
            for i in (n - c + 1)..<(n + 1) { allWrong *= 1 - Double(k) / Double(i) }
            return sum + 1 - allWrong
        }
        return total / Double(correctCounts.count)
    }

    /// k = 1, 2, 4, ... up to the samples per item (which is always included).
    public var reportedK: [Int] {
        var ks = Array(sequence(first: 1) { $0 * 2 }.prefix { $0 < samplesPerItem })
        ks.append(samplesPerItem)
        return ks
    }
}
