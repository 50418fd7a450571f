/// ROUGE-L F1 (Lin 2004) with β = 1: from the longest common subsequence of tokens,
/// P = LCS / |candidate|, R = LCS / |reference|, F1 = 2PR / (P + R).
enum RougeL {
    static func f1(candidate: [String], reference: [String]) -> Double {
        let common = Double(longestCommonSubsequence(candidate, reference))
        guard common > 0 else { return 0 }
        let precision = common / Double(candidate.count)
        let recall = common / Double(reference.count)
        return 2 * precision * recall / (precision + recall)
    }

    /// Dynamic programming over one row at a time: O(|a|·|b|) time, O(|b|) memory.
    static func longestCommonSubsequence(_ a: [String], _ b: [String]) -> Int {
        var previous = [Int](repeating: 0, count: b.count + 1)
        var current = previous
        for x in a {
            for (j, y) in b.enumerated() {
                current[j + 1] = x == y ? previous[j] + 1 : max(previous[j + 1], current[j])
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
