import Foundation

/// Which tokens end a generation, pad a batch and begin a sequence, gathered from the two files
/// that say so: `tokenizer_config.json` names tokens (`"eos_token": "<|im_end|>"` or
/// `{"content": …}`), and `generation_config.json` gives ids (`"eos_token_id": 2` or a list).
/// Generation stops on any of the EOS ids from either file: instruct models often list several.
struct SpecialTokenSettings {
    var eosToken: String?
    var padToken: String?
    var bosToken: String?
    var eosTokenIDs: [Int] = []
    var padTokenID: Int?
    var bosTokenID: Int?

    /// Reads whichever of the two files are given; `nil` data means the file is absent. Fields of
    /// an unexpected type are ignored (these files carry many unrelated settings); a file that is
    /// not a JSON object is an error.
    init(tokenizerConfig: Data?, tokenizerConfigPath: String, generationConfig: Data?, generationConfigPath: String) throws {
        if let data = tokenizerConfig {
            let names = try Self.decode(TokenNames.self, from: data, path: tokenizerConfigPath)
            eosToken = names.eos
            padToken = names.pad
            bosToken = names.bos
        }
        if let data = generationConfig {
            let ids = try Self.decode(TokenIDs.self, from: data, path: generationConfigPath)
            eosTokenIDs = ids.eos
            padTokenID = ids.pad.first
            bosTokenID = ids.bos.first
        }
    }

    private static func decode<T: Decodable>(_ type: T.Type, from data: Data, path: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw TokenizerError.invalidFile(path: path, reason: "not a JSON object (\(error))")
        }
    }

    private enum Keys: String, CodingKey {
        case eosToken = "eos_token", padToken = "pad_token", bosToken = "bos_token"
        case eosTokenID = "eos_token_id", padTokenID = "pad_token_id", bosTokenID = "bos_token_id"
    }

    /// `"<|im_end|>"` or the AddedToken form `{"content": "<|im_end|>", …}`; `null` is no token.
    private struct TokenName: Decodable {
        var content: String?
        private enum Keys: String, CodingKey { case content }
        init(from decoder: any Decoder) throws {
            if let name = try? decoder.singleValueContainer().decode(String.self) {
                content = name
            } else {
                content = try? decoder.container(keyedBy: Keys.self).decode(String.self, forKey: .content)
            }
        }
    }

    /// An id or a list of ids (booleans and other types are not ids).
    private struct IDList: Decodable {
        var ids: [Int]
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let id = try? container.decode(Int.self) {
                ids = [id]
            } else {
                ids = (try? container.decode([Int].self)) ?? []
            }
        }
    }

    private struct TokenNames: Decodable {
        var eos, pad, bos: String?
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            func name(_ key: Keys) -> String? { (try? container.decodeIfPresent(TokenName.self, forKey: key))??.content }
            eos = name(.eosToken)
            pad = name(.padToken)
            bos = name(.bosToken)
        }
    }

    private struct TokenIDs: Decodable {
        var eos, pad, bos: [Int]
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            func ids(_ key: Keys) -> [Int] { (try? container.decodeIfPresent(IDList.self, forKey: key))??.ids ?? [] }
            eos = ids(.eosTokenID)
            pad = ids(.padTokenID)
            bos = ids(.bosTokenID)
        }
    }
}
