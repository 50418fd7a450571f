import Foundation
import RLRunSDK
import Training

/// What a run is: which plugins (with their options), which model, and the trainer's
/// settings. Resolved in layers, later ones winning: built-in defaults, the algorithm's
/// suggested defaults, a preset, a YAML file, then command-line flags. The resolved result is
/// saved with the run.
public struct RunConfiguration: Sendable {
    public var algorithm = "grpo"
    public var rewards: [(name: String, weight: Double)] = [("gsm8k", 1)]
    public var dataset = "arithmetic"
    /// The masking strategy of a masked-diffusion policy's log-prob estimate; nil = `random`
    /// at the `p_mask` rate.
    public var masking: String?
    /// A Hugging Face folder; nil = the built-in policy.
    public var model: String?
    public var device = "cpu"
    public var runDirectory: String?
    /// Supervised warm-start steps of the built-in policy (each setting has its own cache entry).
    public var warmStartSteps: Int?
    /// Required SHA-256 of plugin files, by the name the run uses for the plugin or its file name.
    public var pins: [String: String] = [:]
    /// Plugin options by plugin id. The built-in task starts with one-operation problems,
    /// which the small built-in policy learns within minutes.
    public var pluginOptions: [String: [String: JSONValue]] = ["arithmetic": ["difficulty": "easy"]]
    /// Trainer settings (snake_case keys of TrainingConfiguration) not yet applied.
    public var trainer: [String: JSONValue] = [:]
    /// Where each layer came from, for messages and the saved configuration.
    public var sources: [String] = []

    public init() {}

    /// Keys of the seeds' grpo_config.yaml that are algorithm options rather than trainer
    /// settings, and the option each becomes.
    static let algorithmKeys: [String: String] = [
        "clip_eps_low": "clip_low", "clip_eps_high": "clip_high", "clip_eps": "clip_low", "kl_weight": "kl_weight",
        "beta": "kl_weight", "entropy_coefficient": "entropy_coefficient", "entropy_coef": "entropy_coefficient",
        "loss_aggregation": "loss_aggregation", "loss_type": "loss_aggregation", "reward_scaling": "reward_scaling",
        "dynamic_sampling": "dynamic_sampling", "max_generation_rounds": "max_generation_rounds",
        "gamma": "gamma", "lambda": "lambda", "lam": "lambda", "value_clip": "value_clip", "vf_coef": "vf_coefficient",
    ]

    /// The keys `apply` handles itself rather than passing on to the trainer.
    static let runKeys = [
        "algorithm", "dataset", "masking", "model", "device", "run_dir", "warm_start_steps", "rewards", "reward_weights",
        "pins", "plugin_sha256", "options", "plugin_options", "algorithm_options",
    ]

    /// The run-level or algorithm key that `key` is a typo of, when one is nearer to it than any
    /// trainer key; nil sends `key` on to the trainer, which names its own nearest key.
    static func misspeltRunKey(_ key: String) -> String? {
        guard !TrainingConfiguration.knownKeys.contains(key),
              let run = KeySuggestion.nearestWithDistance(to: key, among: runKeys + algorithmKeys.keys.sorted()) else { return nil }
        if let trainer = KeySuggestion.nearestWithDistance(to: key, among: TrainingConfiguration.knownKeys),
           trainer.distance <= run.distance {
            return nil
        }
        return run.key
    }

    /// Applies one layer of settings: plugin choices, reward weights, plugin options, and
    /// trainer settings; `source` names the layer in errors.
    public mutating func apply(_ values: [String: JSONValue], source: String) throws {
        sources.append(source)
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "algorithm": algorithm = try Self.string(value, key, source)
            case "dataset": dataset = try Self.string(value, key, source)
            case "masking": masking = value == .null ? nil : try Self.string(value, key, source)
            case "model": model = value == .null ? nil : try Self.string(value, key, source)
            case "device": device = try Self.string(value, key, source)
            case "run_dir": runDirectory = try Self.string(value, key, source)
            case "warm_start_steps":
                guard let steps = value.intValue, steps > 0 else {
                    throw ConfigurationError(source: source, message: "'warm_start_steps' must be a positive integer")
                }
                warmStartSteps = steps
            case "rewards", "reward_weights":
                guard let object = value.objectValue else {
                    throw ConfigurationError(source: source, message: "'\(key)' must map reward names to weights, e.g. {gsm8k: 1.0, format: 0.5}")
                }
                rewards = try object.keys.sorted().map { name in
                    guard let weight = object[name]?.doubleValue else {
                        throw ConfigurationError(source: source, message: "weight of reward '\(name)' must be a number")
                    }
                    return (name, weight)
                }
            case "pins", "plugin_sha256":
                guard let object = value.objectValue else {
                    throw ConfigurationError(source: source, message: "'\(key)' must map plugin names to SHA-256 digests")
                }
                for (name, digest) in object {
                    guard let text = digest.stringValue else {
                        throw ConfigurationError(source: source, message: "the pin of '\(name)' must be a string")
                    }
                    pins[name] = text
                }
            case "options", "plugin_options":
                guard let object = value.objectValue else {
                    throw ConfigurationError(source: source, message: "'\(key)' must map plugin ids to option objects")
                }
                for (plugin, options) in object {
                    guard let fields = options.objectValue else {
                        throw ConfigurationError(source: source, message: "options of '\(plugin)' must be an object")
                    }
                    pluginOptions[plugin, default: [:]].merge(fields) { $1 }
                }
            case "algorithm_options":
                guard let fields = value.objectValue else {
                    throw ConfigurationError(source: source, message: "'algorithm_options' must be an object")
                }
                pluginOptions[Self.pluginID(algorithm), default: [:]].merge(fields) { $1 }
            default:
                if let option = Self.algorithmKeys[key] {
                    pluginOptions[Self.pluginID(algorithm), default: [:]][option] = value
                } else if let meant = Self.misspeltRunKey(key) {
                    // Caught here: the trainer would refuse it listing only its own keys.
                    throw ConfigurationError(source: source, message: "unknown key '\(key)' (did you mean '\(meant)'?)")
                } else {
                    trainer[key] = value
                }
            }
        }
    }

    /// Reads a YAML (or JSON) file of settings.
    public static func values(fromYAML url: URL) throws -> [String: JSONValue] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ConfigurationError(source: url.path, message: "cannot read (\(error.localizedDescription))")
        }
        return try values(fromYAMLText: text, source: url.path)
    }

    /// Parses YAML (or JSON) settings text; `source` names it in errors.
    public static func values(fromYAMLText text: String, source: String) throws -> [String: JSONValue] {
        let document = try YAMLSettings.parse(text, source: source) ?? .object([:])
        guard case .object(let settings) = document else {
            throw ConfigurationError(source: source, message: "the top level must be a mapping of settings")
        }
        return settings
    }

    /// The plugin id a name refers to ("dapo", "libdapo.so", "./x/libdapo.so" → "dapo").
    static func pluginID(_ name: String) -> String { PluginLoader.baseName(name) }

    static func string(_ value: JSONValue, _ key: String, _ source: String) throws -> String {
        guard let text = value.stringValue else { throw ConfigurationError(source: source, message: "'\(key)' must be a string") }
        return text
    }

    /// Everything as one JSON object (saved as the run's resolved configuration).
    public func resolvedJSON(trainer resolved: TrainingConfiguration) -> JSONValue {
        .object([
            "algorithm": .string(algorithm), "dataset": .string(dataset), "model": model.map(JSONValue.string) ?? .null,
            "masking": masking.map(JSONValue.string) ?? .null,
            "device": .string(device), "rewards": .object(Dictionary(uniqueKeysWithValues: rewards.map { ($0.name, .number($0.weight)) })),
            "options": .object(pluginOptions.mapValues { .object($0) }), "trainer": .object(trainer),
            "sources": .array(sources.map(JSONValue.string)),
            "resolved": resolved.jsonValue,
        ])
    }
}
