import Foundation

// The statistics of `rlrun eval`: how sure an accuracy is, and whether one model beats another
// on the same items. Both models answer the same items, so the comparison is paired: per-item
// differences for the confidence interval and McNemar's test on the items where they disagree.

/// A two-sided interval for an estimate, at `level` (0.95 for 95%).
public struct ConfidenceInterval: Sendable, Equatable {
    public let lower: Double
    public let upper: Double
    public let level: Double

    public init(lower: Double, upper: Double, level: Double = 0.95) {
        self.lower = lower
        self.upper = upper
        self.level = level
    }
}

public enum ComparisonStatistics {
    /// The standard normal quantile of 0.975: a 95% two-sided interval is estimate ± z95 · SE.
    public static let z95 = 1.959963984540054

    /// Wilson's score interval for `successes` of `trials`. Unlike estimate ± z·SE it stays inside
    /// [0, 1] and does not collapse to a point at 0/n or n/n, which small evaluations hit often.
    /// Nil when there are no trials.
    public static func wilsonInterval(successes: Int, trials: Int, z: Double = z95) -> ConfidenceInterval? {
        guard trials > 0, (0...trials).contains(successes) else { return nil }
        let n = Double(trials), p = Double(successes) / n, z2 = z * z
        let denominator = 1 + z2 / n
        let center = (p + z2 / (2 * n)) / denominator
        let half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        // Clamped only against rounding: mathematically the interval lies within [0, 1].
        return ConfidenceInterval(lower: max(0, center - half), upper: min(1, center + half), level: level(z))
    }

    /// The confidence level of a two-sided normal interval of half-width z standard errors.
    static func level(_ z: Double) -> Double { 1 - erfc(z / 2.0.squareRoot()) }
}

/// The mean of per-item differences a[i] − b[i] with a normal-approximation interval: mean ±
/// z · s/√n, s the sample standard deviation of the differences. Pairing removes the variation
/// of item difficulty that both models share, so it is much tighter than comparing two
/// independent intervals.
public struct PairedDifference: Sendable, Equatable {
    public let n: Int
    public let mean: Double
    /// s/√n; nil with fewer than two items (no spread to estimate).
    public let standardError: Double?
    public let interval: ConfidenceInterval?

    /// Nil when the lists differ in length or are empty.
    public init?(_ a: [Double], _ b: [Double], z: Double = ComparisonStatistics.z95) {
        guard a.count == b.count, !a.isEmpty else { return nil }
        let differences = zip(a, b).map { $0 - $1 }
        n = differences.count
        mean = differences.reduce(0, +) / Double(n)
        guard n > 1 else {
            standardError = nil
            interval = nil
            return
        }
        let m = mean
        let variance = differences.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n - 1)
        let se = (variance / Double(n)).squareRoot()
        standardError = se
        interval = ConfidenceInterval(lower: mean - z * se, upper: mean + z * se, level: ComparisonStatistics.level(z))
    }
}

/// How two models' right/wrong answers on the same items line up, with the win rate and
/// McNemar's test of "both are equally accurate", which looks only at the items they disagree on.
public struct PairedOutcomes: Sendable, Equatable {
    /// A right, B wrong.
    public let aOnly: Int
    /// B right, A wrong.
    public let bOnly: Int
    public let both: Int
    public let neither: Int

    public init(aOnly: Int, bOnly: Int, both: Int, neither: Int) {
        self.aOnly = aOnly
        self.bOnly = bOnly
        self.both = both
        self.neither = neither
    }

    /// Nil when the lists differ in length.
    public init?(a: [Bool], b: [Bool]) {
        guard a.count == b.count else { return nil }
        let pairs = zip(a, b)
        self.init(aOnly: pairs.filter { $0 && !$1 }.count, bOnly: pairs.filter { !$0 && $1 }.count,
                  both: pairs.filter { $0 && $1 }.count, neither: pairs.filter { !$0 && !$1 }.count)
    }

    public var n: Int { aOnly + bOnly + both + neither }
    public var discordant: Int { aOnly + bOnly }

    /// Of the items where exactly one model is right, the share where it is A; nil when they
    /// never disagree.
    public var winRate: Double? { discordant == 0 ? nil : Double(aOnly) / Double(discordant) }

    /// McNemar's exact test: under "equally accurate" each disagreement goes either way with
    /// probability 1/2, so min(aOnly, bOnly) is Binomial(discordant, 1/2); two-sided p =
    /// min(1, 2 · P(X ≤ min)). 1 when they never disagree.
    public var mcnemarExactP: Double {
        let m = discordant, k = min(aOnly, bOnly)
        guard m > 0 else { return 1 }
        // Summed in log space so that thousands of disagreements neither overflow C(m, i) nor 2^m.
        let logHalfToTheM = Double(m) * log(0.5)
        let tail = (0...k).reduce(0.0) { sum, i in sum + exp(Self.logChoose(m, i) + logHalfToTheM) }
        return min(1, 2 * tail)
    }

    /// McNemar's chi-square with Edwards' continuity correction, max(0, |b − c| − 1)² / (b + c);
    /// nil when they never disagree. The large-sample version of the exact test.
    public var mcnemarChiSquare: Double? {
        guard discordant > 0 else { return nil }
        let excess = max(0, Double(abs(aOnly - bOnly)) - 1)
        return excess * excess / Double(discordant)
    }

    /// P(χ²₁ > statistic) = erfc(√(statistic / 2)).
    public var mcnemarChiSquareP: Double? { mcnemarChiSquare.map { erfc(($0 / 2).squareRoot()) } }

    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n) + 1) - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1)
    }
}
