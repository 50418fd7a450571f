import Foundation

/// What a `Split` pre-tokenizer (or the regex inside `ByteLevel`) searches for. The known
/// byte-level regexes run on hand-written scanners; any other regex runs on NSRegularExpression,
/// whose syntax covers what Hugging Face files use (ICU's Unicode tables stand in for Oniguruma's).
enum SplitPattern: Sendable {
    case known(KnownSplitPattern)
    case general(GeneralRegex)
    /// `{"String": "…"}` patterns: every non-overlapping occurrence of the literal.
    case literal([UInt8])
    /// Each scalar for which the predicate holds is its own match (Hugging Face's char patterns).
    case scalars(ScalarPredicate)

    enum ScalarPredicate: Sendable {
        /// Rust's `char::is_numeric`: Nd, Nl and No, as the `Digits` pre-tokenizer uses.
        case numeric
    }

    /// A pattern for `regex`: its scanner when it is a known one, else NSRegularExpression.
    /// - Throws: the regex's compile error, for the caller to report with the file's name.
    init(regex: String) throws {
        if let known = KnownSplitPattern(regex: regex) {
            self = .known(known)
        } else {
            self = .general(try GeneralRegex(regex))
        }
    }

    /// Byte ranges (indices of `bytes`) of successive non-overlapping, non-empty matches within `range`.
    func matches(in bytes: [UInt8], _ range: Range<Int>) -> [Range<Int>] {
        switch self {
        case .known(let scanner):
            let text = ClassifiedText(bytes, range)
            return scanner.matches(in: text).map { text.offsets[$0.lowerBound] ..< text.offsets[$0.upperBound] }
        case .general(let regex):
            return regex.matches(in: bytes[range])
        case .literal(let needle):
            return Self.occurrences(of: needle, in: bytes[range])
        case .scalars(.numeric):
            let text = ClassifiedText(bytes, range)
            return (0 ..< text.count).filter { text.kinds[$0] == .number }.map { text.offsets[$0] ..< text.offsets[$0 + 1] }
        }
    }

    private static func occurrences(of needle: [UInt8], in piece: ArraySlice<UInt8>) -> [Range<Int>] {
        guard !needle.isEmpty, needle.count <= piece.count else { return [] }
        var result: [Range<Int>] = []
        var i = piece.startIndex
        let last = piece.endIndex - needle.count
        while i <= last {
            if piece[i] == needle[0], piece[i ..< i + needle.count].elementsEqual(needle) {
                result.append(i ..< i + needle.count)
                i += needle.count
            } else {
                i += 1
            }
        }
        return result
    }
}

/// NSRegularExpression behind a `Sendable` face. The class is documented as safe to use from
/// several threads once built, and nothing here mutates it.
final class GeneralRegex: @unchecked Sendable {
    let pattern: String
    private let regex: NSRegularExpression

    init(_ pattern: String) throws {
        self.pattern = pattern
        regex = try NSRegularExpression(pattern: pattern, options: [])
    }

    func matches(in piece: ArraySlice<UInt8>) -> [Range<Int>] {
        let text = String(decoding: piece, as: UTF8.self)
        // NSRange counts UTF-16 units. Map them to byte offsets directly: going through
        // String.Index would reject matches that end inside a grapheme cluster (" " + U+0308).
        var byteOffsetAtUTF16 = [Int](repeating: 0, count: text.utf16.count + 1)
        var utf16 = 0, utf8 = 0
        for scalar in text.unicodeScalars {
            let width = UTF16.width(scalar)
            for k in 0 ..< width { byteOffsetAtUTF16[utf16 + k] = utf8 }
            utf16 += width
            utf8 += UTF8.width(scalar)
        }
        byteOffsetAtUTF16[utf16] = utf8
        var result: [Range<Int>] = []
        for match in regex.matches(in: text, options: [], range: NSRange(location: 0, length: utf16)) where match.range.length > 0 {
            let start = byteOffsetAtUTF16[match.range.location]
            let end = byteOffsetAtUTF16[match.range.location + match.range.length]
            result.append(piece.startIndex + start ..< piece.startIndex + end)
        }
        return result
    }
}
