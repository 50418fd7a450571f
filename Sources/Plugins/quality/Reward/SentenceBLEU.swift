import Foundation

/// Sentence-level BLEU (Papineni et al. 2002) against one reference, with add-one smoothing of
/// the 2..N-gram precisions (Lin & Och 2004, "BLEU+1") so that a sentence with no matching
/// 4-gram still gets a graded score:
///
///     BLEU = BP · exp(Σₙ (1/N) log pₙ),  p₁ = m₁/t₁,  pₙ = (mₙ + 1)/(tₙ + 1) for n ≥ 2,
///     BP = 1 if c ≥ r else exp(1 − r/c)
///
/// mₙ = candidate n-grams matched (clipped by their count in the reference), tₙ = candidate
/// n-grams, c and r the candidate and reference lengths.
struct SentenceBLEU {
    let maxOrder: Int

    func score(candidate: [String], reference: [String]) -> Double {
        guard !candidate.isEmpty, !reference.isEmpty else { return 0 }
        var logPrecisionSum = 0.0
        for n in 1...maxOrder {
            let candidateCounts = Self.ngramCounts(candidate, n)
            let referenceCounts = Self.ngramCounts(reference, n)
            let matched = candidateCounts.reduce(0) { $0 + min($1.value, referenceCounts[$1.key] ?? 0) }
            let total = max(0, candidate.count - n + 1)
            if n == 1 {
                guard matched > 0 else { return 0 }
                logPrecisionSum += log(Double(matched) / Double(total))
            } else {
                logPrecisionSum += log(Double(matched + 1) / Double(total + 1))
            }
        }
        let brevity = candidate.count >= reference.count ? 1 : exp(1 - Double(reference.count) / Double(candidate.count))
        return brevity * exp(logPrecisionSum / Double(maxOrder))
    }

    private static func ngramCounts(_ tokens: [String], _ n: Int) -> [ArraySlice<String>: Int] {
        var counts: [ArraySlice<String>: Int] = [:]
        guard tokens.count >= n else { return counts }
        for start in 0...(tokens.count - n) { counts[tokens[start..<(start + n)], default: 0] += 1 }
        return counts
    }
}
