/// Finds added tokens in text the way Hugging Face's `AddedVocabulary` does: leftmost match first,
/// the longest token at that position, then `single_word`, `lstrip` and `rstrip` applied to it.
///
/// Works on UTF-8 bytes with a byte trie. A match of valid UTF-8 inside valid UTF-8 always starts
/// and ends on scalar boundaries, so no decoding is needed to find tokens.
struct AddedTokenMatcher: Sendable {
    /// A stretch of input: either ordinary text (a byte range) or one recognised token.
    enum Segment: Equatable {
        case text(Range<Int>)
        case token(Int)
    }

    private struct Node: Sendable {
        var children: [UInt8: Int32] = [:]
        /// Index into `tokens` of the token ending here, if any.
        var token: Int32 = -1
    }

    private var nodes: [Node] = [Node()]
    private var tokens: [AddedToken] = []
    /// Bytes that start some token: most positions are rejected with one array read.
    private var startsToken = [Bool](repeating: false, count: 256)

    var isEmpty: Bool { tokens.isEmpty }

    /// A matcher for `tokens`, each spelled as `spelling(token)` (the normalised content for
    /// tokens matched against normalised text). Empty spellings are ignored; for duplicates the
    /// first one wins.
    init(_ tokens: [AddedToken], spelling: (AddedToken) -> String = { $0.content }) {
        for token in tokens {
            let bytes = Array(spelling(token).utf8)
            guard let first = bytes.first else { continue }
            var node = 0
            for byte in bytes {
                if let child = nodes[node].children[byte] {
                    node = Int(child)
                } else {
                    nodes.append(Node())
                    nodes[node].children[byte] = Int32(nodes.count - 1)
                    node = nodes.count - 1
                }
            }
            if nodes[node].token < 0 {
                nodes[node].token = Int32(self.tokens.count)
                self.tokens.append(token)
                startsToken[Int(first)] = true
            }
        }
    }

    /// `text` cut into ordinary stretches and tokens, in order, covering all of it.
    func segments(of text: ArraySlice<UInt8>) -> [Segment] {
        let start = text.startIndex, end = text.endIndex
        guard !tokens.isEmpty else { return text.isEmpty ? [] : [.text(start ..< end)] }
        var segments: [Segment] = []
        var consumed = start  // Everything before this is already in `segments`.
        var position = start
        while position < end {
            guard startsToken[Int(text[position])], let (tokenIndex, matchEnd) = longestMatch(in: text, at: position) else {
                position += 1
                continue
            }
            let token = tokens[tokenIndex]
            if token.singleWord {
                let wordBefore = position > start && Self.isWordCharacter(Self.scalar(endingAt: position, in: text))
                let wordAfter = matchEnd < end && Self.isWordCharacter(Self.scalar(startingAt: matchEnd, in: text))
                if wordBefore || wordAfter {
                    position = matchEnd  // The search resumes after the rejected match, as Aho-Corasick does.
                    continue
                }
            }
            var tokenStart = position
            var tokenEnd = matchEnd
            if token.lstrip {
                while tokenStart > consumed, let scalar = Self.scalar(endingAt: tokenStart, in: text), scalar.properties.isWhitespace {
                    tokenStart -= String(scalar).utf8.count
                }
            }
            if token.rstrip {
                while tokenEnd < end, let scalar = Self.scalar(startingAt: tokenEnd, in: text), scalar.properties.isWhitespace {
                    tokenEnd += String(scalar).utf8.count
                }
            }
            if consumed < tokenStart { segments.append(.text(consumed ..< tokenStart)) }
            segments.append(.token(token.id))
            consumed = max(consumed, tokenEnd)
            position = matchEnd
            if position < consumed { position = consumed }
        }
        if consumed < end { segments.append(.text(consumed ..< end)) }
        return segments
    }

    /// The longest token starting at `position`: its index and end.
    private func longestMatch(in text: ArraySlice<UInt8>, at position: Int) -> (Int, Int)? {
        var node = 0
        var best: (Int, Int)?
        var i = position
        while i < text.endIndex, let child = nodes[node].children[text[i]] {
            node = Int(child)
            i += 1
            if nodes[node].token >= 0 { best = (Int(nodes[node].token), i) }
        }
        return best
    }

    /// Rust regex's `\w`: alphabetic, marks, decimal digits, connector punctuation, joiners.
    private static func isWordCharacter(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        let properties = scalar.properties
        if properties.isAlphabetic || properties.isJoinControl { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    private static func scalar(startingAt index: Int, in text: ArraySlice<UInt8>) -> Unicode.Scalar? {
        guard index < text.endIndex else { return nil }
        var length = 1
        let lead = text[index]
        if lead >= 0xF0 { length = 4 } else if lead >= 0xE0 { length = 3 } else if lead >= 0xC0 { length = 2 }
        let end = min(index + length, text.endIndex)
        return String(decoding: text[index ..< end], as: UTF8.self).unicodeScalars.first
    }

    private static func scalar(endingAt index: Int, in text: ArraySlice<UInt8>) -> Unicode.Scalar? {
        guard index > text.startIndex else { return nil }
        var start = index - 1
        while start > text.startIndex, text[start] & 0xC0 == 0x80 { start -= 1 }
        return String(decoding: text[start ..< index], as: UTF8.self).unicodeScalars.first
    }
}
