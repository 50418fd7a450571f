import Foundation
import SeededRandom
import Testing
@testable import Tokenizers

/// The three known regexes split text as the regex means. Expected splits are written by hand
/// from the regex and agree with Hugging Face `tokenizers` (Oniguruma) on every example.
struct PreTokenizerTests {
    static func split(_ text: String, _ pattern: SplitPattern) -> [String] {
        let bytes = Array(text.utf8)
        var words: [Range<Int>] = []
        PreTokenizer.split(bytes, 0 ..< bytes.count, on: pattern, behavior: .isolated, invert: false, into: &words)
        return words.map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    static let qwen2Examples: [(String, [String])] = [
        ("Hello world", ["Hello", " world"]),
        // Contractions ignore case, and only start a match at the apostrophe.
        ("DON'T stop, it's FINE'S", ["DON", "'T", " stop", ",", " it", "'s", " FINE", "'S"]),
        ("I'm we'VE they'Re you'LL he'D", ["I", "'m", " we", "'VE", " they", "'Re", " you", "'LL", " he", "'D"]),
        ("'sup 'hello ''s", ["'s", "up", " '", "hello", " ''", "s"]),
        ("x'\u{017f}y", ["x", "'\u{017f}", "y"]),  // ſ case-folds to s
        // One digit at a time.
        ("12345 and 1,234.5", ["1", "2", "3", "4", "5", " and", " ", "1", ",", "2", "3", "4", ".", "5"]),
        // A whitespace run gives its last space to the next word, unless it ends the text.
        ("  two  spaces   three\tend ", [" ", " two", " ", " spaces", "  ", " three", "\tend", " "]),
        // Line breaks: whitespace up to the last \r or \n of a run goes together.
        ("line\n\n  indented\r\nnext  \n", ["line", "\n\n", " ", " indented", "\r\n", "next", "  \n"]),
        // Punctuation prefixes a word ([^\r\n\p{L}\p{N}]?\p{L}+) or forms runs that keep their line breaks.
        ("a+b=c; x->y!!\n", ["a", "+b", "=c", ";", " x", "->", "y", "!!\n"]),
        ("naïve 東京タワー ١٢٣ Ⅻ ²", ["naïve", " 東京タワー", " ", "١", "٢", "٣", " ", "Ⅻ", " ", "²"]),
        ("emoji 🙂🚀 👍🏽 x", ["emoji", " 🙂🚀", " 👍🏽", " x"]),
        ("\u{00a0}nbsp\u{3000}ideo\u{2003}em", ["\u{00a0}nbsp", "\u{3000}ideo", "\u{2003}em"]),
        ("tab\tword\ttab", ["tab", "\tword", "\ttab"]),
        ("...   ", ["...", "   "]),
        (" \n", [" \n"]),
        // Combining marks are not letters (this is before NFC, which the normaliser applies).
        ("e\u{0301} x\u{0308}", ["e", "\u{0301}", " x", "\u{0308}"]),
        // U+000B and U+000C are whitespace, U+001C is not; U+0085 is whitespace.
        ("a\u{0b}\u{0c}b", ["a", "\u{0b}", "\u{0c}b"]),
        ("a\u{85} b", ["a", "\u{85}", " b"]),
        ("a\u{1c}b", ["a", "\u{1c}b"]),
        ("", []),
    ]

    static let llama3Examples: [(String, [String])] = [
        ("Hello world", ["Hello", " world"]),
        ("DON'T stop, it's FINE'S", ["DON", "'T", " stop", ",", " it", "'s", " FINE", "'S"]),
        // Digits in groups of up to three, counted from the left.
        ("12345 and 1,234.5", ["123", "45", " and", " ", "1", ",", "234", ".", "5"]),
        ("1234567", ["123", "456", "7"]),
        ("  two  spaces   three\tend ", [" ", " two", " ", " spaces", "  ", " three", "\tend", " "]),
        ("line\n\n  indented\r\nnext  \n", ["line", "\n\n", " ", " indented", "\r\n", "next", "  \n"]),
        ("naïve 東京タワー ١٢٣ Ⅻ ²", ["naïve", " 東京タワー", " ", "١٢٣", " ", "Ⅻ", " ", "²"]),
        ("a+b=c; x->y!!\n", ["a", "+b", "=c", ";", " x", "->", "y", "!!\n"]),
    ]

    static let gpt2Examples: [(String, [String])] = [
        ("Hello world", ["Hello", " world"]),
        // Contractions are case-sensitive: "'T" is punctuation then a word.
        ("DON'T stop, it's FINE'S", ["DON", "'", "T", " stop", ",", " it", "'s", " FINE", "'", "S"]),
        ("I'm we'VE they'Re you'LL he'D", ["I", "'m", " we", "'", "VE", " they", "'", "Re", " you", "'", "LL", " he", "'", "D"]),
        ("'sup 'hello ''s", ["'s", "up", " '", "hello", " ''", "s"]),
        // Numbers are whole runs, with an optional leading space.
        ("12345 and 1,234.5", ["12345", " and", " 1", ",", "234", ".", "5"]),
        // Only a plain space may prefix a word; other whitespace stands alone.
        ("  two  spaces   three\tend ", [" ", " two", " ", " spaces", "  ", " three", "\t", "end", " "]),
        ("line\n\n  indented\r\nnext  \n", ["line", "\n\n ", " indented", "\r", "\n", "next", "  \n"]),
        ("a+b=c; x->y!!\n", ["a", "+", "b", "=", "c", ";", " x", "->", "y", "!!", "\n"]),
        ("naïve 東京タワー ١٢٣ Ⅻ ²", ["naïve", " 東京タワー", " ١٢٣", " Ⅻ", " ²"]),
        ("\u{00a0}nbsp\u{3000}ideo\u{2003}em", ["\u{00a0}", "nbsp", "\u{3000}", "ideo", "\u{2003}", "em"]),
        ("tab\tword\ttab", ["tab", "\t", "word", "\t", "tab"]),
    ]

    @Test(arguments: qwen2Examples)
    func qwen2RegexSplits(text: String, expected: [String]) {
        #expect(Self.split(text, .known(.qwen2)) == expected)
    }

    @Test(arguments: llama3Examples)
    func llama3RegexSplits(text: String, expected: [String]) {
        #expect(Self.split(text, .known(.llama3)) == expected)
    }

    @Test(arguments: gpt2Examples)
    func gpt2RegexSplits(text: String, expected: [String]) {
        #expect(Self.split(text, .known(.gpt2)) == expected)
    }

    @Test func theThreeKnownRegexesGetScannersAndOthersTheGeneralEngine() throws {
        for known in KnownSplitPattern.allCases {
            guard case .known(let scanner) = try SplitPattern(regex: known.regex) else {
                Issue.record("\(known) not recognised")
                continue
            }
            #expect(scanner == known)
        }
        guard case .general = try SplitPattern(regex: #"\p{L}+|\s+"#) else {
            Issue.record("an unknown regex should use NSRegularExpression")
            return
        }
    }

    /// The scanners and NSRegularExpression running the same regex agree on text where ICU and
    /// Oniguruma read the classes alike (ASCII, Latin, CJK, spaces, tabs and line breaks).
    @Test(arguments: KnownSplitPattern.allCases)
    func scannerAgreesWithTheGeneralRegexEngine(pattern: KnownSplitPattern) throws {
        let general = SplitPattern.general(try GeneralRegex(pattern.regex))
        let pieces = ["a", "Z", "é", "東", "7", "٣", " ", "  ", "\t", "\n", "\r\n", "\r", "'", "'s", "'LL", "'Ve", "!", "?!", "-",
                      "🙂", "\u{0301}", "_", "$", "\u{00a0}", "\u{3000}"]
        var generator = SplitMix64(seed: 42)
        for _ in 0 ..< 2000 {
            let length = Int(generator.next() % 12) + 1
            let text = (0 ..< length).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
            #expect(Self.split(text, .known(pattern)) == Self.split(text, general), "\(text.debugDescription)")
        }
    }

    /// `Split` behaviours on "a-b--c-" around the literal "-", as Hugging Face gives them.
    static let behaviourExamples: [(PreTokenizer.SplitBehavior, Bool, [String])] = [
        (.removed, false, ["a", "b", "c"]),
        (.removed, true, ["-", "-", "-", "-"]),
        (.isolated, false, ["a", "-", "b", "-", "-", "c", "-"]),
        (.isolated, true, ["a", "-", "b", "-", "-", "c", "-"]),
        (.mergedWithPrevious, false, ["a-", "b-", "-", "c-"]),
        (.mergedWithPrevious, true, ["a", "-b", "-", "-c", "-"]),
        (.mergedWithNext, false, ["a", "-b", "-", "-c", "-"]),
        (.mergedWithNext, true, ["a-", "b-", "-", "c-"]),
        (.contiguous, false, ["a", "-", "b", "--", "c", "-"]),
        (.contiguous, true, ["a", "-", "b", "--", "c", "-"]),
    ]

    @Test(arguments: behaviourExamples)
    func splitBehaviours(behavior: PreTokenizer.SplitBehavior, invert: Bool, expected: [String]) {
        let bytes = Array("a-b--c-".utf8)
        var words: [Range<Int>] = []
        PreTokenizer.split(bytes, 0 ..< bytes.count, on: .literal(Array("-".utf8)), behavior: behavior, invert: invert, into: &words)
        #expect(words.map { String(decoding: bytes[$0], as: UTF8.self) } == expected)
    }

    @Test func digitsAndPrefixSpace() {
        func words(_ steps: [PreTokenizer.Step], _ text: String) -> [String] {
            let (buffer, ranges) = PreTokenizer(steps: steps).words(in: Array(text.utf8), 0 ..< text.utf8.count)
            return ranges.map { String(decoding: buffer[$0], as: UTF8.self) }
        }
        #expect(words([.split(.scalars(.numeric), behavior: .isolated, invert: false)], "ab123c45") == ["ab", "1", "2", "3", "c", "4", "5"])
        #expect(words([.split(.scalars(.numeric), behavior: .contiguous, invert: false)], "ab123c45") == ["ab", "123", "c", "45"])
        #expect(words([.byteLevel(addPrefixSpace: true, useRegex: true)], "Hello world") == [" Hello", " world"])
        #expect(words([.byteLevel(addPrefixSpace: true, useRegex: false)], " already") == [" already"])
    }
}
