/// The pre-tokenizer of a `tokenizer.json`: cuts normalised text into the words BPE merges within.
///
/// Words are byte ranges of one buffer (the normalised text, or a copy when a prefix space has
/// to be inserted), so nothing is copied or re-encoded between steps. A `ByteLevel` step may only
/// come last: after it, Hugging Face's later steps would see the byte stand-in characters, which no
/// shipped file relies on.
struct PreTokenizer: Sendable {
    enum Step: Sendable {
        case split(SplitPattern, behavior: SplitBehavior, invert: Bool)
        /// `add_prefix_space` puts a space before every piece that does not start with one;
        /// `use_regex` splits with GPT-2's regex.
        case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    }

    /// What a split does with the matches and the text between them (Hugging Face's
    /// `SplitDelimiterBehavior`).
    enum SplitBehavior: String, Sendable {
        case removed = "Removed"
        case isolated = "Isolated"
        case mergedWithPrevious = "MergedWithPrevious"
        case mergedWithNext = "MergedWithNext"
        case contiguous = "Contiguous"
    }

    let steps: [Step]
    /// Whether the model sees bytes through GPT-2's byte-to-character table (a ByteLevel step).
    let isByteLevel: Bool

    init(steps: [Step]) {
        self.steps = steps
        isByteLevel = steps.contains { if case .byteLevel = $0 { true } else { false } }
    }

    /// The words of `buffer[range]`, in order, none empty, as ranges of the returned buffer.
    func words(in buffer: [UInt8], _ range: Range<Int>) -> (buffer: [UInt8], words: [Range<Int>]) {
        var buffer = buffer
        var words = range.isEmpty ? [] : [range]
        for step in steps {
            var next: [Range<Int>] = []
            next.reserveCapacity(words.count)
            switch step {
            case .split(let pattern, let behavior, let invert):
                for word in words {
                    Self.split(buffer, word, on: pattern, behavior: behavior, invert: invert, into: &next)
                }
            case .byteLevel(let addPrefixSpace, let useRegex):
                if addPrefixSpace, words.contains(where: { buffer[$0.lowerBound] != 0x20 }) {
                    (buffer, words) = Self.prefixingSpaces(buffer, words)
                }
                if useRegex {
                    for word in words {
                        Self.split(buffer, word, on: .known(.gpt2), behavior: .isolated, invert: false, into: &next)
                    }
                } else {
                    next = words
                }
            }
            words = next
        }
        return (buffer, words)
    }

    /// A new buffer holding the words, each preceded by a space unless it starts with one.
    private static func prefixingSpaces(_ buffer: [UInt8], _ words: [Range<Int>]) -> ([UInt8], [Range<Int>]) {
        var spaced: [UInt8] = []
        spaced.reserveCapacity(words.reduce(0) { $0 + $1.count + 1 })
        var ranges: [Range<Int>] = []
        for word in words {
            let start = spaced.count
            if buffer[word.lowerBound] != 0x20 { spaced.append(0x20) }
            spaced.append(contentsOf: buffer[word])
            ranges.append(start ..< spaced.count)
        }
        return (spaced, ranges)
    }

    /// Hugging Face's `NormalizedString::split`: the matches and the gaps between them cover the
    /// word; `invert` swaps which is which; the behaviour then keeps, drops or glues them.
    static func split(_ buffer: [UInt8], _ word: Range<Int>, on pattern: SplitPattern, behavior: SplitBehavior,
                      invert: Bool, into output: inout [Range<Int>]) {
        let matches = pattern.matches(in: buffer, word)
        if behavior == .isolated {
            // The common case (every known regex), without building spans: matches and gaps in order.
            var previous = word.lowerBound
            for match in matches {
                if previous < match.lowerBound { output.append(previous ..< match.lowerBound) }
                output.append(match)
                previous = match.upperBound
            }
            if previous < word.upperBound { output.append(previous ..< word.upperBound) }
            return
        }
        var spans: [(range: Range<Int>, isMatch: Bool)] = []
        var previous = word.lowerBound
        for match in matches {
            if previous < match.lowerBound { spans.append((previous ..< match.lowerBound, invert)) }
            spans.append((match, !invert))
            previous = match.upperBound
        }
        if previous < word.upperBound { spans.append((previous ..< word.upperBound, invert)) }

        var ranges: [Range<Int>] = []
        switch behavior {
        case .removed:
            ranges = spans.filter { !$0.isMatch }.map(\.range)
        case .isolated:
            ranges = spans.map(\.range)
        case .mergedWithPrevious:
            var previousWasMatch = false
            for span in spans {
                if span.isMatch, !previousWasMatch, let last = ranges.last {
                    ranges[ranges.count - 1] = last.lowerBound ..< span.range.upperBound
                } else {
                    ranges.append(span.range)
                }
                previousWasMatch = span.isMatch
            }
        case .mergedWithNext:
            var previousWasMatch = false
            var reversed: [Range<Int>] = []
            for span in spans.reversed() {
                if span.isMatch, !previousWasMatch, let last = reversed.last {
                    reversed[reversed.count - 1] = span.range.lowerBound ..< last.upperBound
                } else {
                    reversed.append(span.range)
                }
                previousWasMatch = span.isMatch
            }
            ranges = reversed.reversed()
        case .contiguous:
            var previousWasMatch = false
            for (index, span) in spans.enumerated() {
                if index > 0, span.isMatch == previousWasMatch, let last = ranges.last {
                    ranges[ranges.count - 1] = last.lowerBound ..< span.range.upperBound
                } else {
                    ranges.append(span.range)
                }
                previousWasMatch = span.isMatch
            }
        }
        output.append(contentsOf: ranges.filter { !$0.isEmpty })
    }
}
