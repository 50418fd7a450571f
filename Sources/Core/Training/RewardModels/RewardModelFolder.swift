import Engine
import Foundation
import Models
import Tokenizers

/// A reward model on disk: the backbone as a Hugging Face folder (config.json, model.safetensors),
/// the head in score.safetensors (`score.weight`, `score.bias`), the tokenizer's files, and
/// reward_model.json (the marker, max length, score statistics and how it was trained).
extension RewardModel {
    public static let markerFile = "reward_model.json"
    public static let headFile = "score.safetensors"
    static let formatName = "rlrun-reward-model"

    /// Tokenizer files copied from a backbone folder when present.
    static let tokenizerFileNames = ["tokenizer.json", "tokenizer_config.json", "generation_config.json", "special_tokens_map.json"]

    /// Opens a folder written by `save(to:)`.
    public convenience init(folder: URL, dtype: DType = .float32, device: Device = .cpu) throws {
        let marker = folder.appendingPathComponent(Self.markerFile)
        guard FileManager.default.fileExists(atPath: marker.path) else {
            throw ModelError("\(folder.path) is not a reward-model folder (no \(Self.markerFile)); train one with `rlrun reward-model train --data PAIRS.jsonl --out \(folder.path)`")
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(contentsOf: marker)) as? [String: Any],
              json["format"] as? String == Self.formatName else {
            throw ModelError("\(marker.path): not a reward-model description (needs \"format\": \"\(Self.formatName)\")")
        }
        let backbone = try Transformer(folder: folder, dtype: dtype, device: device)
        let head = try ScalarHead(contentsOf: folder.appendingPathComponent(Self.headFile), dtype: dtype, device: device)
        let (tokenizer, files, template) = try Self.openTokenizer(folder)
        var statistics: ScoreStatistics?
        if let mean = json["score_mean"] as? Double, let std = json["score_std"] as? Double {
            statistics = ScoreStatistics(mean: mean, std: std)
        }
        try self.init(backbone: backbone, head: head, tokenizer: tokenizer, tokenizerFiles: files, template: template,
                      maxLength: (json["max_length"] as? Int) ?? min(1024, backbone.configuration.maxPositions),
                      statistics: statistics)
    }

    /// The backbone of a model folder with a fresh head; a reward-model folder keeps its head,
    /// so training can continue from it.
    public static func starting(from folder: URL, maxLength: Int? = nil, seed: UInt64, device: Device = .cpu) throws -> RewardModel {
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent(markerFile).path) {
            let model = try RewardModel(folder: folder, device: device)
            guard let maxLength else { return model }
            return try RewardModel(backbone: model.backbone, head: model.head, tokenizer: model.tokenizer,
                                   tokenizerFiles: model.tokenizerFiles, template: model.template, maxLength: maxLength)
        }
        let backbone = try Transformer(folder: folder, device: device)
        let (tokenizer, files, template) = try openTokenizer(folder)
        return try RewardModel(backbone: backbone, tokenizer: tokenizer, tokenizerFiles: files, template: template,
                               maxLength: maxLength, seed: seed)
    }

    /// The folder's tokenizer as rlrun opens model folders: the character tokenizer of the
    /// built-in model (plain prompts), else byte-level BPE (ChatML when it has the tokens).
    static func openTokenizer(_ folder: URL) throws -> (any Tokenizer, [String: Data], ChatTemplate) {
        var files: [String: Data] = [:]
        for name in tokenizerFileNames {
            if let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) { files[name] = data }
        }
        guard let json = files["tokenizer.json"] else {
            throw ModelError("\(folder.path): no tokenizer.json; a reward model needs the tokenizer of its backbone")
        }
        if let character = try? CharacterTokenizer(jsonData: json) { return (character, files, .plain()) }
        let bpe = try BPETokenizer(modelFolder: folder)
        return (bpe, files, .automatic(for: bpe))
    }

    /// Writes the model to `folder`. Everything goes to a staging folder first, which then
    /// replaces `folder`, so a reader sees the old model or the new one, never a mix. An existing
    /// folder is replaced only when it is empty or a reward model.
    public func save(to folder: URL, training: [String: Any] = [:]) throws {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: folder.path, isDirectory: &isFolder) {
            let contents = (try? manager.contentsOfDirectory(atPath: folder.path)) ?? []
            guard isFolder.boolValue, contents.isEmpty || contents.contains(Self.markerFile) else {
                throw ModelError("\(folder.path) exists and is not a reward-model folder; give a new or empty folder so nothing else is overwritten")
            }
        }
        let parent = folder.deletingLastPathComponent()
        try manager.createDirectory(at: parent, withIntermediateDirectories: true)
        let staging = parent.appendingPathComponent(".\(folder.lastPathComponent)-staging-\(ProcessInfo.processInfo.processIdentifier)")
        try? manager.removeItem(at: staging)
        try backbone.save(to: staging)
        try head.save(to: staging.appendingPathComponent(Self.headFile))
        for (name, data) in tokenizerFiles { try data.write(to: staging.appendingPathComponent(name)) }
        var description: [String: Any] = ["format": Self.formatName, "version": 1, "max_length": maxLength,
                                          "architecture": "backbone + Linear(hidden→1) at the last non-padding token"]
        if let statistics {
            description["score_mean"] = statistics.mean
            description["score_std"] = statistics.std
        }
        if !training.isEmpty { description["training"] = training }
        let json = try JSONSerialization.data(withJSONObject: description, options: [.prettyPrinted, .sortedKeys])
        try json.write(to: staging.appendingPathComponent(Self.markerFile))
        if manager.fileExists(atPath: folder.path) { try manager.removeItem(at: folder) }
        try manager.moveItem(at: staging, to: folder)
    }
}
