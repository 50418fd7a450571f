import Engine
import Foundation
import Models
import RLRunSDK
import Tokenizers
import Training

/// A `--model` folder as a policy: a Hugging Face folder (byte-level BPE, its chat template) or
/// a folder rlrun wrote for its built-in policy (`rlrun sft`, the warm-start cache: character
/// tokenizer, plain prompts). `ModelFolder` tells the two apart by the tokenizer.json.
public enum PolicyFolder {
    /// The word that means "rlrun's built-in policy" where a folder is expected.
    public static let builtInName = "builtin"

    public struct Loaded {
        public let policy: Policy
        /// Whether it is the built-in character-level architecture (whose trainer defaults apply).
        public let isBuiltIn: Bool
        public let folder: URL
    }

    /// - weightDType: bf16 keeps the weight matrices in bf16 under float32 compute (a frozen base).
    public static func load(_ folder: URL, device: Device, weightDType: DType? = nil, option: String = "--model") throws -> Loaded {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConfigurationError(source: option, message: "no folder at \(folder.path); give a Hugging Face model folder, a folder written by `rlrun sft`, or \(builtInName)")
        }
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path) else {
            throw ConfigurationError(source: option, message: "\(folder.path) has no config.json, so it is not a model folder")
        }
        let opened = try ModelFolder(folder, weightDType: weightDType, device: device)
        let template = opened.template
        let policy = try Policy(model: opened.model, tokenizer: opened.tokenizer,
                                formatPrompt: { template.render(question: $0.prompt, system: $0.system) })
        return Loaded(policy: policy, isBuiltIn: opened.tokenizer is CharacterTokenizer, folder: folder)
    }

    /// Whether `folder` holds rlrun's built-in architecture (its tokenizer.json is the
    /// character tokenizer), whose trainer defaults then apply.
    public static func isBuiltIn(_ folder: URL) -> Bool {
        (try? CharacterTokenizer(jsonData: Data(contentsOf: folder.appendingPathComponent("tokenizer.json")))) != nil
    }

    /// The trainer settings a run of this policy starts from (the built-in model's own defaults
    /// where it is one, as `rlrun` layers them), so evaluation samples as training would.
    public static func defaultSettings(for loaded: Loaded) throws -> TrainingConfiguration {
        guard loaded.isBuiltIn else { return TrainingConfiguration() }
        let kind: PolicyKind = loaded.policy.model.configuration.maskedDiffusion ? .maskedDiffusion : .causal
        return try TrainingConfiguration().applying(BuiltInPolicy.trainerDefaults(for: kind), source: "built-in policy defaults")
    }

    /// The tokenizer files of a Hugging Face folder, copied beside saved weights so the new folder
    /// tokenizes the same way.
    public static let tokenizerFiles = [
        "tokenizer.json", "tokenizer_config.json", "generation_config.json", "special_tokens_map.json", "vocab.json", "merges.txt",
        "chat_template.jinja", "chat_template.json",
    ]
}
