import Foundation
import RLRunSDK

/// `rlrun new-plugin`: a Swift package for a new plugin, depending on rlrun's SDK, that builds
/// and loads as it is, ready to be edited.
public struct PluginScaffold: Sendable {
    public let kind: PluginKind
    /// Plugin id, lowercase letters, digits and '-'.
    public let id: String
    /// Folder of rlrun's own package (the dependency of the new one).
    public let rlrunPackage: URL

    public init(kind: PluginKind, id: String, rlrunPackage: URL) throws {
        guard !id.isEmpty, id.first!.isLetter, id.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" }) else {
            throw PluginError(.input, "plugin name '\(id)' must start with a letter and use only lowercase letters, digits and '-'")
        }
        self.kind = kind
        self.id = id
        self.rlrunPackage = rlrunPackage
    }

    /// UpperCamelCase from the id: "my-reward" -> "MyReward".
    public var typeName: String {
        id.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The files of the package, by path relative to its folder.
    public var files: [String: String] {
        [
            "Package.swift": packageManifest,
            "Sources/\(typeName)/\(typeName).swift": source,
            ".gitignore": ".build/\nPackage.resolved\n",
            "README.md": readme,
        ]
    }

    /// Writes the package into `folder`, which must not exist yet.
    public func write(to folder: URL) throws {
        guard !FileManager.default.fileExists(atPath: folder.path) else {
            throw PluginError(.input, "\(folder.path) already exists; choose another --output")
        }
        for (path, text) in files {
            let url = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try AtomicFile.write(Data(text.utf8), to: url)
        }
    }

    /// rlrun's package folder, found by walking up from the running binary (a checkout's
    /// .build/<config>/rlrun), or nil.
    public static func locateRLRunPackage(from executable: URL) -> URL? {
        var folder = executable.deletingLastPathComponent()
        while folder.path != "/" {
            let manifest = folder.appendingPathComponent("Package.swift")
            if let text = try? String(contentsOf: manifest, encoding: .utf8), text.contains("name: \"rlrun\"") { return folder }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }

    private var packageManifest: String {
        """
        // swift-tools-version:6.0
        import PackageDescription

        let package = Package(
            name: "\(typeName)",
            products: [.library(name: "\(id)", type: .dynamic, targets: ["\(typeName)"])],
            dependencies: [.package(name: "rlrun", path: "\(rlrunPackage.path)")],
            targets: [.target(name: "\(typeName)", dependencies: [.product(name: "RLRunSDK", package: "rlrun")])]
        )

        """
    }

    private var readme: String {
        """
        # \(id)

        An rlrun \(kind) plugin.

        ```
        swift build -c release
        rlrun plugins inspect .build/release/lib\(id).so
        \(tryLine)
        ```

        """
    }

    private var tryLine: String {
        switch kind {
        case .reward: "rlrun score --reward .build/release/lib\(id).so --input completions.jsonl"
        case .dataset: "rlrun --dataset .build/release/lib\(id).so ..."
        case .masking: "rlrun --algorithm diffu-grpo --masking .build/release/lib\(id).so ..."
        case .algorithm: "rlrun --algorithm .build/release/lib\(id).so --reward gsm8k"
        }
    }

    private var source: String {
        let header = """
        import RLRunSDK

        """
        let export = "\n@_cdecl(\"rlrun_plugin_entry\") public func rlrunPluginEntry() -> UnsafeRawPointer { PluginLibrary.export(.\(kind)(\(typeName).self)) }\n"
        return header + body + export
    }

    private var body: String {
        switch kind {
        case .reward:
            return """
            /// Scores each completion. Replace the rule in `score` with your own.
            final class \(typeName): PluginDefinition, RewardFunction {
                static let info = PluginInfo(
                    id: "\(id)", version: "0.1.0", summary: "1 when the completion contains the reference answer",
                    options: [.number("scale", default: 1.0, help: "reward for a completion that contains the reference")])

                let scale: Double

                init(configuration: PluginConfiguration, host: PluginHost) throws {
                    scale = try configuration.double("scale")
                }

                func score(_ batch: RewardBatch) throws -> RewardScores {
                    let rewards = (0..<batch.count).map { i -> Double in
                        guard let reference = batch.references[i] else { return 0 }
                        return batch.completions[i].contains(reference) ? scale : 0
                    }
                    return RewardScores(rewards: rewards, components: ["length": .numbers(batch.completionTokens.map(Double.init))])
                }
            }

            """
        case .dataset:
            return """
            /// Prompts with reference answers. Replace `items` with your data (read files in init).
            final class \(typeName): PluginDefinition, Dataset {
                static let info = PluginInfo(id: "\(id)", version: "0.1.0", summary: "a small arithmetic data set")

                let items: [DatasetItem] = (1...100).map { n in
                    DatasetItem(prompt: "What is \\(n) + \\(n)?", reference: "\\(2 * n)")
                }
                let splits = ["train", "test"]

                init(configuration: PluginConfiguration, host: PluginHost) throws {}

                private func range(_ split: String) throws -> Range<Int> {
                    switch split {
                    case "train": return 0..<90
                    case "test": return 90..<100
                    default: throw PluginError(.input, "no split '\\(split)'")
                    }
                }

                func count(split: String) throws -> Int { try range(split).count }

                func item(split: String, index: Int) throws -> DatasetItem {
                    let range = try range(split)
                    guard index >= 0, index < range.count else { throw PluginError(.input, "index \\(index) out of range") }
                    return items[range.lowerBound + index]
                }
            }

            """
        case .masking:
            return """
            /// Masks each eligible position with a fixed probability, reproducibly from the seed.
            final class \(typeName): PluginDefinition, MaskingStrategy {
                static let info = PluginInfo(
                    id: "\(id)", version: "0.1.0", summary: "masks eligible positions at a fixed rate",
                    options: [.number("rate", default: 0.15, help: "probability of masking an eligible position")])

                let rate: Double

                init(configuration: PluginConfiguration, host: PluginHost) throws {
                    rate = try configuration.double("rate")
                    guard (0...1).contains(rate) else { throw PluginError(.config, "rate must be in [0, 1]") }
                }

                func choose(_ request: MaskingRequest) throws -> MaskingChoice {
                    var generator = SplitMix64(seed: request.seed)
                    let mask = request.eligible.map { $0 && Double(generator.next() >> 11) / Double(1 << 53) < rate }
                    return MaskingChoice(mask: mask, rate: rate)
                }
            }

            struct SplitMix64 {
                var state: UInt64
                init(seed: UInt64) { state = seed }
                mutating func next() -> UInt64 {
                    state &+= 0x9E37_79B9_7F4A_7C15
                    var z = state
                    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                    return z ^ (z >> 31)
                }
            }

            """
        case .algorithm:
            return """
            /// REINFORCE with a group-mean baseline: A = r - mean(group), loss = -mean over tokens of A·logp.
            final class \(typeName): PluginDefinition, Algorithm {
                static let info = PluginInfo(
                    id: "\(id)", version: "0.1.0", summary: "REINFORCE with a group-mean baseline",
                    options: [.integer("group_size", default: 8, help: "completions per prompt")])

                let requirements: AlgorithmRequirements

                init(configuration: PluginConfiguration, host: PluginHost) throws {
                    requirements = AlgorithmRequirements(groupSize: try configuration.int("group_size"))
                }

                func advantages(_ inputs: AdvantageInputs) throws -> AdvantageOutputs {
                    let groups = try inputs.rewards.reshape([-1, requirements.groupSize])
                    let centred = try groups - groups.mean(dim: 1, keepDim: true)
                    return AdvantageOutputs(advantages: try centred.reshape([-1]))
                }

                func loss(_ inputs: LossInputs) throws -> LossOutputs {
                    let advantages = inputs.advantages.rank == 1 ? try inputs.advantages.unsqueeze(1) : inputs.advantages
                    let perToken = try -(advantages * inputs.logProbs) * inputs.mask
                    let loss = try perToken.sum() / inputs.stepTokens
                    return LossOutputs(loss: loss, metrics: [("advantage_mean", try inputs.advantages.mean().item())])
                }
            }

            """
        }
    }
}
