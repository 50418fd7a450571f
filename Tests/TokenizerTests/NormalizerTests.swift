import Foundation
import SeededRandom
import Testing
@testable import Tokenizers

/// The NFC shortcut (normalising only stretches from U+0300 up) equals Foundation's NFC of the
/// whole text.
struct NormalizerTests {
    @Test func partialNFCEqualsWholeTextNFC() {
        let pieces = ["a", "e", "E", " ", "\n", "é", "\u{0301}", "\u{0323}", "\u{0308}", "\u{0327}", "\u{1100}", "\u{1161}", "\u{11a8}",
                      "\u{AC00}", "東", "Ω", "\u{212B}", "\u{0958}", "\u{2126}", "ﬁ", "🙂", "\u{0344}", "\u{0F73}", "Å", "\u{0CC6}", "\u{0CD5}"]
        var generator = SplitMix64(seed: 3)
        for _ in 0 ..< 3000 {
            let length = Int(generator.next() % 40)
            var text = (0 ..< length).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
            if generator.next() % 4 == 0 { text += String(repeating: "x", count: 100) + "\u{0301}" }  // stretches far apart
            let bytes = Array(text.utf8)
            let (normalized, range) = TextNormalizer.nfc.apply(bytes, 0 ..< bytes.count)
            let expected = Array(text.precomposedStringWithCanonicalMapping.utf8)
            #expect(Array(normalized[range]) == expected, "\(text.debugDescription)")
        }
    }

    @Test func textThatIsAlreadyNFCIsNotCopied() {
        let bytes = Array("plain ASCII and précomposé Latin".utf8)
        let (normalized, range) = TextNormalizer.nfc.apply(bytes, 2 ..< 20)
        #expect(range == 2 ..< 20)
        #expect(normalized == bytes)
    }
}
