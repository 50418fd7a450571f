import Foundation
import Testing
@testable import Tokenizers

struct CharacterTokenizerTests {
    let tokenizer = CharacterTokenizer.standard

    @Test func layoutIsSpecialsThenNewlineThenPrintableASCII() {
        #expect(tokenizer.vocabularySize == 4 + 1 + 95)
        #expect(tokenizer.padTokenID == 0)
        #expect(tokenizer.bosTokenID == 1)
        #expect(tokenizer.eosTokenIDs == [2])
        #expect(tokenizer.unknownTokenID == 3)
        #expect(tokenizer.id(of: "\n") == 4)
        #expect(tokenizer.id(of: " ") == 5)
        #expect(tokenizer.id(of: "~") == 99)
        #expect(tokenizer.id(of: "<eos>") == 2)
        #expect(tokenizer.id(of: "ab") == nil)
        #expect(tokenizer.token(of: 5) == " ")
        #expect(tokenizer.token(of: 3) == "<unk>")
        #expect(tokenizer.token(of: 100) == nil)
    }

    @Test func everyPrintableCharacterAndNewlineRoundTrips() {
        let text = CharacterTokenizer.defaultAlphabet + "Janet's ducks lay 16 eggs.\n#### 18"
        let ids = tokenizer.encode(text)
        #expect(ids.count == text.unicodeScalars.count)
        #expect(!ids.contains(tokenizer.unknownTokenID))
        #expect(tokenizer.decode(ids) == text)
    }

    @Test func charactersOutsideTheAlphabetAreUnknown() {
        #expect(tokenizer.encode("é\r\n\t") == [3, 3, 4, 3])  // \r\n is two scalars: unknown, newline
        #expect(tokenizer.decode(tokenizer.encode("a🙂b")) == "a<unk>b")
        #expect(tokenizer.decode(tokenizer.encode("a🙂b"), skipSpecialTokens: true) == "ab")
    }

    @Test func specialTokenNamesInTheTextAreMatchedLiterally() {
        #expect(tokenizer.encode("<bos>hi<eos>") == [1, tokenizer.id(of: "h")!, tokenizer.id(of: "i")!, 2])
        #expect(tokenizer.encode("<eo") == "<eo".unicodeScalars.map { tokenizer.id(of: String($0))! })
        #expect(tokenizer.decode([1, 40, 2, 0], skipSpecialTokens: false) == "<bos>\(tokenizer.token(of: 40)!)<eos><pad>")
        #expect(tokenizer.decode([1, 40, 2, 0, 555, -1], skipSpecialTokens: true) == tokenizer.token(of: 40)!)
    }

    @Test func jsonRoundTripKeepsTheAlphabet() throws {
        let data = try tokenizer.jsonData()
        let restored = try CharacterTokenizer(jsonData: data)
        #expect(restored == tokenizer)
        #expect(try restored.jsonData() == data)
        let text = "Hello,\nworld!"
        #expect(restored.encode(text) == tokenizer.encode(text))

        let custom = try CharacterTokenizer(alphabet: "abcé\u{301}")
        let customRestored = try CharacterTokenizer(jsonData: custom.jsonData())
        #expect(customRestored == custom)
        #expect(customRestored.vocabularySize == 9)
        #expect(customRestored.encode("e\u{301}é") == [3, 8, 7])  // scalars, not graphemes: "e" is unknown
    }

    @Test func invalidJSONAndAlphabetsAreRejected() throws {
        #expect(throws: TokenizerError.self) { try CharacterTokenizer(jsonData: Data("{}".utf8)) }
        #expect(throws: TokenizerError.self) {
            try CharacterTokenizer(jsonData: Data(#"{"type":"bpe","alphabet":"ab","special_tokens":["<pad>","<bos>","<eos>","<unk>"]}"#.utf8))
        }
        #expect(throws: TokenizerError.self) {
            try CharacterTokenizer(jsonData: Data(#"{"type":"character","alphabet":"aba","special_tokens":["<pad>","<bos>","<eos>","<unk>"]}"#.utf8))
        }
        #expect(throws: TokenizerError.self) { try CharacterTokenizer(alphabet: "aa") }
    }
}
