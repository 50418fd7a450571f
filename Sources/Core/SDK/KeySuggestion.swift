/// The known key a misspelt one most likely meant, for "did you mean 'X'?" in error messages.
public enum KeySuggestion {
    /// The entry of `known` nearest to `key` by edit distance (case ignored), when it is near
    /// enough to be a typo: at most two edits and at most a third of the key's length, so that a
    /// short key is not "corrected" into an unrelated one. Ties go to the earlier entry.
    public static func nearest(to key: String, among known: [String]) -> String? {
        nearestWithDistance(to: key, among: known)?.key
    }

    /// The same, with its distance: callers weighing two lists against each other compare these.
    public static func nearestWithDistance(to key: String, among known: [String]) -> (key: String, distance: Int)? {
        let typed = Array(key.lowercased())
        let allowed = min(2, typed.count / 3)
        var best: (key: String, distance: Int)?
        for candidate in known {
            let distance = editDistance(typed, Array(candidate.lowercased()), limit: allowed)
            if distance <= allowed, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best
    }

    /// " (did you mean 'X'?)" when some known key is near `key`, else "": for an "unknown key
    /// 'K'" message to append.
    public static func hint(for key: String, among known: [String]) -> String {
        nearest(to: key, among: known).map { " (did you mean '\($0)'?)" } ?? ""
    }

    /// Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`; any value
    /// above `limit` is reported as `limit + 1`, which lets long unrelated keys stop early.
    static func editDistance(_ a: [Character], _ b: [Character], limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        // Three rows of the optimal-string-alignment table: two back (for swaps), previous, current.
        var twoBack = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0 ... b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1 ... a.count {
            current[0] = i
            var rowMinimum = i
            for j in 1 ... b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                var value = min(previous[j] + 1, current[j - 1] + 1, substitution)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, twoBack[j - 2] + 1)
                }
                current[j] = value
                rowMinimum = min(rowMinimum, value)
            }
            if rowMinimum > limit { return limit + 1 }
            (twoBack, previous, current) = (previous, current, twoBack)
        }
        return min(previous[b.count], limit + 1)
    }
}
