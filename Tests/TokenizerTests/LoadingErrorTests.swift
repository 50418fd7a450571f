import Foundation
import Testing
@testable import Tokenizers

/// Loading failures name the file and what is wrong or unsupported.
struct LoadingErrorTests {
    func altered(_ change: (inout [String: Any]) -> Void) throws -> Data {
        var object = SyntheticTokenizer.object(.qwen2)
        change(&object)
        return try SyntheticTokenizer.data(object)
    }

    @Test func aFolderWithoutTokenizerJSON() throws {
        let folder = try SyntheticTokenizer.folder([:])
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("tokenizer.json").path
        #expect(throws: TokenizerError.fileNotFound(path: path)) { try BPETokenizer(modelFolder: folder) }
    }

    @Test func invalidJSONNamesTheFile() throws {
        let folder = try SyntheticTokenizer.folder(["tokenizer.json": Data("{\"model\": ".utf8)])
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = #expect(throws: TokenizerError.self) { try BPETokenizer(modelFolder: folder) }
        guard case .invalidFile(let path, _) = error else {
            Issue.record("expected invalidFile, got \(String(describing: error))")
            return
        }
        #expect(path == folder.appendingPathComponent("tokenizer.json").path)
    }

    @Test func aMissingModelIsInvalid() {
        let error = #expect(throws: TokenizerError.self) { try BPETokenizer(tokenizerJSON: Data("{}".utf8)) }
        #expect(error?.description.contains("model") == true)
    }

    @Test func unsupportedComponentsAreNamed() throws {
        let cases: [(Data, String)] = [
            (try altered { $0["model"] = ["type": "Unigram", "vocab": [["a", 0.0]]] }, "model type \"Unigram\""),
            (try altered { $0["model"] = ["type": "WordPiece", "vocab": ["a": 0]] }, "model type \"WordPiece\""),
            (try altered { $0["pre_tokenizer"] = ["type": "Metaspace", "replacement": "▁"] }, "pre-tokenizer type \"Metaspace\""),
            (try altered { $0["normalizer"] = ["type": "Sequence", "normalizers": [["type": "NFC"], ["type": "Replace"]]] },
             "normalizer type \"Replace\""),
            (try altered { $0["decoder"] = ["type": "WordPiece"] }, "decoder type \"WordPiece\""),
            (try altered {
                $0["pre_tokenizer"] = ["type": "Sequence", "pretokenizers": [
                    ["type": "ByteLevel", "add_prefix_space": false, "use_regex": false],
                    ["type": "Digits", "individual_digits": true],
                ]]
            }, "ByteLevel pre-tokenizer that is not the last"),
            (try altered { $0["pre_tokenizer"] = ["type": "Split", "pattern": ["Regex": "(unclosed"], "behavior": "Isolated"] },
             "does not compile"),
        ]
        for (data, feature) in cases {
            let error = #expect(throws: TokenizerError.self) { try BPETokenizer(tokenizerJSON: data) }
            guard case .unsupported(let path, let message) = error else {
                Issue.record("expected unsupported for \(feature), got \(String(describing: error))")
                continue
            }
            #expect(path == "tokenizer.json")
            #expect(message.contains(feature), "\(message)")
        }
    }

    @Test func idsOutsideTheAcceptedRangeAreRejected() throws {
        let negative = try altered {
            var model = $0["model"] as! [String: Any]
            var vocabulary = model["vocab"] as! [String: Int]
            vocabulary["Ġxyz"] = -1
            model["vocab"] = vocabulary
            $0["model"] = model
        }
        let error = #expect(throws: TokenizerError.self) { try BPETokenizer(tokenizerJSON: negative) }
        #expect(error?.description.contains("\"Ġxyz\" has id -1") == true)
        let huge = try altered { $0["added_tokens"] = [["id": 1 << 40, "content": "<big>", "special": true]] }
        #expect(throws: TokenizerError.self) { try BPETokenizer(tokenizerJSON: huge) }
    }

    @Test func anInvalidTokenizerConfigNamesItsFile() throws {
        let folder = try SyntheticTokenizer.folder([
            "tokenizer.json": SyntheticTokenizer.data(SyntheticTokenizer.object(.qwen2)),
            "tokenizer_config.json": Data("[1, 2]".utf8),
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = #expect(throws: TokenizerError.self) { try BPETokenizer(modelFolder: folder) }
        guard case .invalidFile(let path, _) = error else {
            Issue.record("expected invalidFile, got \(String(describing: error))")
            return
        }
        #expect(path.hasSuffix("tokenizer_config.json"))
    }

    @Test func specialTokensFromBothConfigurationFilesAndEitherSpelling() throws {
        let folder = try SyntheticTokenizer.folder([
            "tokenizer.json": SyntheticTokenizer.data(SyntheticTokenizer.object(.qwen2)),
            "tokenizer_config.json": Data(#"""
                {"eos_token": {"content": "<|im_end|>", "special": true}, "pad_token": "<|endoftext|>",
                 "bos_token": null, "chat_template": "{{ messages }}", "model_max_length": 32768}
                """#.utf8),
            "generation_config.json": Data(#"{"eos_token_id": [296, 295], "bos_token_id": 295, "do_sample": true}"#.utf8),
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let tokenizer = try BPETokenizer(modelFolder: folder)
        #expect(tokenizer.eosTokenIDs == [297, 296, 295])
        #expect(tokenizer.padTokenID == 295)
        #expect(tokenizer.bosTokenID == 295)
    }

    @Test func configurationFilesAreOptional() throws {
        let tokenizer = try SyntheticTokenizer.tokenizer(.gpt2)
        #expect(tokenizer.eosTokenIDs.isEmpty)
        #expect(tokenizer.padTokenID == nil)
        #expect(tokenizer.bosTokenID == nil)
    }

    @Test func errorMessagesAreReadable() {
        #expect(TokenizerError.fileNotFound(path: "/m/tokenizer.json").description == "tokenizer file not found: /m/tokenizer.json")
        #expect(TokenizerError.unsupported(path: "t.json", feature: "x").description == "unsupported tokenizer in t.json: x")
    }
}
