/// Hand-written scanners for the three pre-tokenizer regexes that byte-level BPE checkpoints ship.
///
/// They reproduce Oniguruma's backtracking, leftmost-first semantics for exactly these patterns
/// (Hugging Face `tokenizers` runs the regex with Oniguruma). NSRegularExpression gives the same
/// splits in the tests but is several times slower, bridges every piece to UTF-16, and depends on
/// the platform's ICU. Any other pattern goes to that general fallback. Each alternative below is
/// commented with the part of the regex it implements.
enum KnownSplitPattern: Sendable, CaseIterable {
    /// Qwen2 / Qwen2.5 / Qwen3: single digits, case-insensitive contractions.
    case qwen2
    /// Llama 3: like Qwen2 but digits in groups of up to three.
    case llama3
    /// GPT-2 (also the `use_regex` of the ByteLevel pre-tokenizer): optional leading space.
    case gpt2

    static let qwen2Regex =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let llama3Regex =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let gpt2Regex =
        #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    /// The scanner for `regex` when it is one of the known patterns, spelled exactly.
    init?(regex: String) {
        switch regex {
        case Self.qwen2Regex: self = .qwen2
        case Self.llama3Regex: self = .llama3
        case Self.gpt2Regex: self = .gpt2
        default: return nil
        }
    }

    var regex: String {
        switch self {
        case .qwen2: Self.qwen2Regex
        case .llama3: Self.llama3Regex
        case .gpt2: Self.gpt2Regex
        }
    }

    /// Successive non-overlapping matches over `text`, as scalar-index ranges, the way a regex
    /// engine's find-all reports them (each search starts where the previous match ended).
    func matches(in text: ClassifiedText) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var i = 0
        let n = text.count
        while i < n {
            let length = matchLength(at: i, in: text)
            if length > 0 {
                result.append(i ..< i + length)
                i += length
            } else {
                i += 1  // Not reachable for these patterns (every scalar starts some alternative).
            }
        }
        return result
    }

    private func matchLength(at i: Int, in text: ClassifiedText) -> Int {
        switch self {
        case .qwen2: return llamaFamilyMatch(at: i, in: text, maxDigits: 1)
        case .llama3: return llamaFamilyMatch(at: i, in: text, maxDigits: 3)
        case .gpt2: return gpt2Match(at: i, in: text)
        }
    }

    // MARK: - Qwen2 / Llama 3

    private func llamaFamilyMatch(at i: Int, in text: ClassifiedText, maxDigits: Int) -> Int {
        let n = text.count
        let value = text.scalars[i]
        let kind = text.kinds[i]

        // (?i:'s|'t|'re|'ve|'m|'ll|'d)
        if value == 0x27, let length = contractionLength(after: i, in: text, ignoringCase: true) {
            return 1 + length
        }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if kind == .letter {
            return run(of: .letter, from: i, in: text) - i
        }
        if value != 0x0A, value != 0x0D, kind != .number, i + 1 < n, text.kinds[i + 1] == .letter {
            return run(of: .letter, from: i + 1, in: text) - i
        }
        // \p{N} (Qwen2) or \p{N}{1,3} (Llama 3)
        if kind == .number {
            return min(run(of: .number, from: i, in: text) - i, maxDigits)
        }
        //  ?[^\s\p{L}\p{N}]+[\r\n]*
        let symbolStart = (value == 0x20 && i + 1 < n) ? i + 1 : i
        if text.kinds[symbolStart] == .other {
            var end = run(of: .other, from: symbolStart, in: text)
            while end < n, text.scalars[end] == 0x0A || text.scalars[end] == 0x0D { end += 1 }
            return end - i
        }
        guard kind == .whitespace else { return 0 }
        let end = run(of: .whitespace, from: i, in: text)
        // \s*[\r\n]+ : \s* backs off from the end of the run to the last line break in it, and
        // [\r\n]+ then takes just that break, so the match ends right after the last \r or \n.
        var k = end - 1
        while k >= i {
            if text.scalars[k] == 0x0A || text.scalars[k] == 0x0D { return k + 1 - i }
            k -= 1
        }
        return trailingWhitespaceMatch(from: i, runEnd: end, count: n)
    }

    // MARK: - GPT-2

    private func gpt2Match(at i: Int, in text: ClassifiedText) -> Int {
        let n = text.count
        let value = text.scalars[i]

        // 's|'t|'re|'ve|'m|'ll|'d (case-sensitive)
        if value == 0x27, let length = contractionLength(after: i, in: text, ignoringCase: false) {
            return 1 + length
        }
        //  ?\p{L}+ |  ?\p{N}+ |  ?[^\s\p{L}\p{N}]+ : the optional space binds to any of the three runs.
        let start = (value == 0x20 && i + 1 < n) ? i + 1 : i
        let kind = text.kinds[start]
        if kind != .whitespace {
            return run(of: kind, from: start, in: text) - i
        }
        guard text.kinds[i] == .whitespace else { return 0 }
        return trailingWhitespaceMatch(from: i, runEnd: run(of: .whitespace, from: i, in: text), count: n)
    }

    // MARK: - Shared pieces

    /// `\s+(?!\S)|\s+` for a whitespace run `i ..< runEnd`: the whole run at the end of the text,
    /// otherwise all but its last scalar (left to prefix the next word), or the single scalar of a
    /// one-scalar run.
    private func trailingWhitespaceMatch(from i: Int, runEnd: Int, count n: Int) -> Int {
        if runEnd == n { return runEnd - i }
        if runEnd - i >= 2 { return runEnd - 1 - i }
        return runEnd - i
    }

    private func run(of kind: ScalarKind, from start: Int, in text: ClassifiedText) -> Int {
        var end = start
        let n = text.count
        while end < n, text.kinds[end] == kind { end += 1 }
        return end
    }

    /// Length of `s|t|re|ve|m|ll|d` right after the apostrophe at `apostrophe`, or `nil`.
    /// Ignoring case follows Unicode simple case folding, under which `ſ` (U+017F) is an `s`.
    private func contractionLength(after apostrophe: Int, in text: ClassifiedText, ignoringCase: Bool) -> Int? {
        let n = text.count
        func letter(_ offset: Int) -> UInt32? {
            let index = apostrophe + offset
            guard index < n else { return nil }
            let value = text.scalars[index]
            guard ignoringCase else { return value }
            if value >= 0x41, value <= 0x5A { return value + 0x20 }
            if value == 0x17F { return 0x73 }
            return value
        }
        guard let first = letter(1) else { return nil }
        switch first {
        case 0x73, 0x74, 0x6D, 0x64:  // s t m d
            return 1
        case 0x72, 0x76:  // r v, followed by e
            return letter(2) == 0x65 ? 2 : nil
        case 0x6C:  // l, followed by l
            return letter(2) == 0x6C ? 2 : nil
        default:
            return nil
        }
    }
}
