/// How much of a text repeats itself, measured on word n-grams: degenerate generations loop
/// over the same phrase, and their n-grams stop being distinct.
public enum RepeatedNgrams {
    /// Lowercased runs of letters and digits.
    public static func words(_ text: String) -> [Substring] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }
    }

    /// The share of word n-grams that repeat an earlier one, 1 − distinct / total, in [0, 1);
    /// nil when the text has fewer than `n` words (nothing to judge).
    public static func fraction(in text: String, n: Int) -> Double? {
        let words = words(text)
        guard n > 0, words.count >= n else { return nil }
        let total = words.count - n + 1
        var distinct = Set<ArraySlice<Substring>>()
        for start in 0..<total { distinct.insert(words[start..<(start + n)]) }
        return 1 - Double(distinct.count) / Double(total)
    }
}
