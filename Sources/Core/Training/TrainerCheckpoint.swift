import Engine
import Foundation
import RLRunSDK

/// Everything a run needs to continue exactly where it stopped: trainable weights, the
/// critic, AdamW's moments, the sampling generator's state, the data position, the step
/// counters and recent gradient norms. Written into a temporary folder, with a manifest of
/// sizes and SHA-256 digests, then renamed into place, so a checkpoint is complete or absent.
extension Trainer {
    static let manifestName = "manifest.json"

    /// Writes a checkpoint of the current state into `folder` (which must not exist yet), plus
    /// `extra` files (e.g. plugin states) given as name → bytes.
    public func saveCheckpoint(to folder: URL, extra: [String: Data] = [:]) throws {
        let parent = folder.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        let staging = parent.appendingPathComponent(".\(folder.lastPathComponent).partial")
        try? FileManager.default.removeItem(at: staging)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        do {
            try writeCheckpoint(into: staging, extra: extra)
        } catch {
            // A failed write (a full disk, say) leaves no partial folder taking up the space.
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
        FailPoint.hit("checkpoint-before-rename")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.moveItem(at: staging, to: folder)
    }

    func writeCheckpoint(into staging: URL, extra: [String: Data]) throws {

        var tensors: [String: Tensor] = [:]
        for (i, parameter) in trainable.enumerated() { tensors["trainable.\(i)"] = parameter }
        for (name, tensor) in optimizer.state() { tensors["adamw.\(name)"] = tensor }
        tensors["generator.state"] = try generator.state()
        if let dropout = policy.model.loraDropoutGenerator { tensors["lora_dropout_generator.state"] = try dropout.state() }
        try SafeTensorsWriter.write(tensors, metadata: ["format": "rlrun-checkpoint"], to: staging.appendingPathComponent("state.safetensors"))
        FailPoint.hit("checkpoint-state-written")
        let counters: JSONValue = .object([
            "step": .number(Double(step)), "optimizer_step": .number(Double(optimizerStep)),
            "cursor_count": .number(Double(cursor.count)), "cursor_seed": .string(String(cursor.seed)),
            "cursor_epoch": .number(Double(cursor.epoch)), "cursor_offset": .number(Double(cursor.offset)),
            "gradient_norms": .array(gradientNormHistory.suffix(20).map { .number($0) }),
            "trainable_count": .number(Double(trainable.count)),
        ])
        try AtomicFile.write(Data(counters.jsonText.utf8), to: staging.appendingPathComponent("trainer.json"))
        for (name, data) in extra { try AtomicFile.write(data, to: staging.appendingPathComponent(name)) }

        var files: [String: JSONValue] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: staging.path).sorted() {
            let data = try Data(contentsOf: staging.appendingPathComponent(name))
            files[name] = .object(["bytes": .number(Double(data.count)), "sha256": .string(SHA256.hex(data))])
        }
        try AtomicFile.write(Data(JSONValue.object(["files": .object(files)]).jsonText.utf8),
                             to: staging.appendingPathComponent(Self.manifestName))
    }

    /// Checks a checkpoint's manifest (every file present with its size and digest).
    public static func verifyCheckpoint(_ folder: URL) throws {
        let manifestURL = folder.appendingPathComponent(manifestName)
        guard let manifest = try? JSONValue(parsing: String(contentsOf: manifestURL, encoding: .utf8)),
              let files = manifest["files"]?.objectValue else {
            throw ConfigurationError(source: folder.path, message: "checkpoint has no readable manifest (partial or damaged)")
        }
        for (name, entry) in files {
            guard let data = try? Data(contentsOf: folder.appendingPathComponent(name)) else {
                throw ConfigurationError(source: folder.path, message: "checkpoint file \(name) is missing")
            }
            guard entry["bytes"]?.intValue == data.count, entry["sha256"]?.stringValue == SHA256.hex(data) else {
                throw ConfigurationError(source: folder.path, message: "checkpoint file \(name) does not match its manifest (damaged)")
            }
        }
    }

    /// Restores the state saved by `saveCheckpoint` into this trainer (built with the same
    /// configuration and model).
    public func loadCheckpoint(from folder: URL) throws {
        try Self.verifyCheckpoint(folder)
        let file = try SafeTensorsFile(url: folder.appendingPathComponent("state.safetensors"))
        let counters = try JSONValue(parsing: String(contentsOf: folder.appendingPathComponent("trainer.json"), encoding: .utf8))
        guard counters["trainable_count"]?.intValue == trainable.count else {
            throw ConfigurationError(source: folder.path, message: "checkpoint has \(counters["trainable_count"]?.intValue ?? -1) trainable tensors, this run \(trainable.count): resume with the same model and settings")
        }
        try withNoGrad {
            for (i, parameter) in trainable.enumerated() {
                let saved = try file.tensor("trainable.\(i)", device: parameter.device, dtype: parameter.dtype)
                guard saved.shape == parameter.shape else {
                    throw ConfigurationError(source: folder.path, message: "trainable tensor \(i) has shape \(saved.shape), the run has \(parameter.shape)")
                }
                try parameter.copyInPlace(from: saved)
            }
        }
        var adam: [String: Tensor] = [:]
        for name in file.tensorNames where name.hasPrefix("adamw.") { adam[String(name.dropFirst(6))] = try file.tensor(name) }
        try optimizer.load(state: adam)
        try generator.setState(file.tensor("generator.state"))
        if let dropout = policy.model.loraDropoutGenerator, file.tensorNames.contains("lora_dropout_generator.state") {
            try dropout.setState(file.tensor("lora_dropout_generator.state"))
        }
        step = counters["step"]?.intValue ?? 0
        optimizerStep = counters["optimizer_step"]?.intValue ?? 0
        cursor = DataCursor(count: counters["cursor_count"]?.intValue ?? cursor.count,
                            seed: UInt64(counters["cursor_seed"]?.stringValue ?? "") ?? cursor.seed,
                            epoch: counters["cursor_epoch"]?.intValue ?? 0, offset: counters["cursor_offset"]?.intValue ?? 0)
        gradientNormHistory = counters["gradient_norms"]?.arrayValue?.compactMap(\.doubleValue) ?? []
    }
}
