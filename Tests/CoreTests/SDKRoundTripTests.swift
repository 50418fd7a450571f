import Foundation
import RLRunABI
import RLRunSDK
import Testing
@testable import Core

// Swift plugins of the four kinds, exported with `PluginLibrary.export` in this process and
// driven through the host's wrappers: every call crosses the C ABI (descriptors, call tables,
// error structs, tensor handles) exactly as with a loaded library, without dlopen.

// MARK: Plugin types

/// Reward: characters per completion times `scale`, with components; counts its calls as state.
final class CharacterCountReward: PluginDefinition, RewardFunction, StatefulPlugin {
    static let info = PluginInfo(
        id: "sdk-characters", version: "2.1.0", summary: "characters per completion times scale",
        options: [
            .number("scale", default: 1, help: "multiplies the character count"),
            .string("note", default: nil, help: "optional text, logged on create"),
        ])

    let scale: Double
    var calls = 0

    init(configuration: PluginConfiguration, host: PluginHost) throws {
        scale = try configuration.double("scale")
        host.log(.info, "sdk-characters: note \(try configuration.string("note") ?? "none")")
    }

    func score(_ batch: RewardBatch) throws -> RewardScores {
        calls += 1
        return RewardScores(
            rewards: batch.completions.map { Double($0.count) * scale },
            components: [
                "tokens": .numbers(batch.completionTokens.map(Double.init)),
                "reference": .labels(batch.references.map { $0 ?? "(none)" }),
                "metadata": .labels(batch.metadata.map { $0 ?? "(none)" }),
                "truncated": .labels(batch.truncated.map { $0 ? "cut" : "eos" }),
                "prompt": .labels(batch.prompts),
            ])
    }

    func saveState() throws -> [UInt8] { Array("calls=\(calls)".utf8) }

    func loadState(_ bytes: [UInt8]) throws {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.hasPrefix("calls="), let value = Int(text.dropFirst(6)) else {
            throw PluginError(.input, "state \(text.debugDescription) is not a call count: was it saved by sdk-characters?")
        }
        calls = value
    }
}

/// Reward that breaks the contract in the way its `fault` option says.
final class FaultyReward: PluginDefinition, RewardFunction {
    static let info = PluginInfo(
        id: "sdk-faulty", version: "0.0.1", summary: "returns what its fault option says",
        options: [.choice("fault", ["too-few", "short-component", "nan", "swift-error", "refuse"], default: "too-few",
                          help: "which contract to break")])

    struct Oops: Error, CustomStringConvertible { var description: String { "a Swift error that is not a PluginError" } }

    let fault: String

    init(configuration: PluginConfiguration, host: PluginHost) throws {
        fault = try configuration.string("fault") ?? ""
        if fault == "refuse" { throw PluginError(.config, "fault 'refuse' refuses every configuration: pick another fault") }
    }

    func score(_ batch: RewardBatch) throws -> RewardScores {
        let ones = [Double](repeating: 1, count: batch.count)
        switch fault {
        case "too-few": return RewardScores(rewards: Array(ones.dropLast()))
        case "short-component": return RewardScores(rewards: ones, components: ["part": .numbers([1])])
        case "nan": return RewardScores(rewards: ones.enumerated().map { $0.offset == 1 ? .nan : $0.element })
        default: throw Oops()
        }
    }
}

/// Dataset: two splits of fixed items; the second train item has no system prompt nor reference.
final class FixedDataset: PluginDefinition, Dataset {
    static let info = PluginInfo(id: "sdk-dataset", version: "1.0.0", summary: "three train items, one test item")

    static let items: [String: [DatasetItem]] = [
        "train": [
            DatasetItem(prompt: "1 + 1?", system: "Answer briefly.", reference: "2", metadata: #"{"level":1}"#),
            DatasetItem(prompt: "Name a colour."),
            DatasetItem(prompt: "2 * 3?", reference: "6"),
        ],
        "test": [DatasetItem(prompt: "10 / 2?", reference: "5")],
    ]

    init(configuration: PluginConfiguration, host: PluginHost) throws {}

    var splits: [String] { ["train", "test"] }

    func count(split: String) throws -> Int { Self.items[split]?.count ?? 0 }

    func item(split: String, index: Int) throws -> DatasetItem {
        let items = Self.items[split] ?? []
        guard items.indices.contains(index) else {
            throw PluginError(.input, "index \(index) is out of range: split '\(split)' has \(items.count) items")
        }
        return items[index]
    }
}

/// Masking: masks positions whose confidence is below `threshold`, proposing ineligible ones
/// too (the SDK must drop them). Records each request it sees by seed (tests run in parallel).
final class LowConfidenceMasking: PluginDefinition, MaskingStrategy {
    static let info = PluginInfo(
        id: "sdk-low-confidence", version: "1.0.0", summary: "masks low-confidence positions",
        options: [.number("threshold", default: 0.5, help: "mask below this confidence"),
                  .number("rate", default: 0.25, help: "reported rate")])
    static let needsConfidence = true

    private static let lock = NSLock()
    nonisolated(unsafe) private static var requests: [UInt64: MaskingRequest] = [:]

    static func request(seed: UInt64) -> MaskingRequest? { lock.withLock { requests[seed] } }
    let threshold: Double
    let rate: Double

    init(configuration: PluginConfiguration, host: PluginHost) throws {
        threshold = try configuration.double("threshold")
        rate = try configuration.double("rate")
    }

    func choose(_ request: MaskingRequest) throws -> MaskingChoice {
        Self.lock.withLock { Self.requests[request.seed] = request }
        guard let confidence = request.confidence else {
            throw PluginError(.input, "sdk-low-confidence needs confidence: the host must fill it (RLRUN_FLAG_NEEDS_CONFIDENCE)")
        }
        return MaskingChoice(mask: confidence.map { Double($0) < threshold }, rate: rate)
    }
}

/// Algorithm: group-mean baseline, REINFORCE-style token loss normalised by the step's tokens.
final class GroupBaselineAlgorithm: PluginDefinition, Algorithm {
    static let info = PluginInfo(
        id: "sdk-group-baseline", version: "0.3.0", summary: "reward minus group mean; -A·logp summed over tokens",
        options: [.integer("group_size", default: 2, help: "completions per prompt"),
                  .number("truncation_penalty", default: 0.5, help: "subtracted from truncated completions")])

    let groupSize: Int
    let penalty: Double

    init(configuration: PluginConfiguration, host: PluginHost) throws {
        groupSize = try configuration.int("group_size")
        penalty = try configuration.double("truncation_penalty")
    }

    var requirements: AlgorithmRequirements {
        AlgorithmRequirements(policy: .maskedDiffusion, needsReference: true, needsEntropy: true, groupSize: groupSize,
                              mu: 2, maxGenerationRounds: 3,
                              trainerDefaults: ["learning_rate": 1e-6, "loss_aggregation": "token-sum"])
    }

    func shapeRewards(_ rewards: inout [Double], rollout: Rollout) throws {
        for i in rewards.indices where rollout.truncated[i] { rewards[i] -= penalty }
    }

    func keepGroups(rewards: [Double], rollout: Rollout) throws -> [Bool] {
        (0..<rollout.groupCount).map { g in
            let group = rewards[g * rollout.groupSize..<(g + 1) * rollout.groupSize]
            return group.contains { $0 != group.first }
        }
    }

    func advantages(_ inputs: AdvantageInputs) throws -> AdvantageOutputs {
        let grouped = try inputs.rewards.reshape([-1, inputs.rollout.groupSize])
        let centered = try grouped - grouped.mean(dim: 1, keepDim: true)
        return AdvantageOutputs(advantages: try centered.reshape([inputs.rollout.count]))
    }

    func loss(_ inputs: LossInputs) throws -> LossOutputs {
        let advantages = inputs.advantages.rank == 1 ? try inputs.advantages.unsqueeze(1) : inputs.advantages
        let weighted = try advantages * inputs.logProbs * inputs.mask
        let loss = try -weighted.sum() / inputs.stepTokens
        var metrics: [(name: String, value: Double)] = [
            ("tokens", try inputs.mask.sum().item()),
            ("advantage_mean", try inputs.advantages.mean().item()),
        ]
        if let reference = inputs.refLogProbs {
            metrics.append(("kl", try ((inputs.logProbs - reference) * inputs.mask).sum().item() / inputs.stepTokens))
        }
        return LossOutputs(loss: loss, metrics: metrics)
    }
}

// MARK: The in-process library

/// The plugin list of this test process. `PluginLibrary.export` builds one list per image (its
/// first call wins), so every Swift test plugin is exported here, in this one call.
enum InProcessPlugins {
    nonisolated(unsafe) static let list: UnsafePointer<rlrun_plugin_list> = PluginLibrary.export(
        .reward(CharacterCountReward.self), .reward(FaultyReward.self), .dataset(FixedDataset.self),
        .masking(LowConfidenceMasking.self), .algorithm(GroupBaselineAlgorithm.self)
    ).assumingMemoryBound(to: rlrun_plugin_list.self)

    /// The file the descriptors say they come from (shown in labels and errors).
    static let file = URL(fileURLWithPath: "/in-process/libsdk-tests.so")

    static func descriptors() throws -> [PluginDescriptor] {
        try (0..<Int(list.pointee.count)).map { i in try PluginDescriptor(list.pointee.plugins![i]!, file: file) }
    }

    static func descriptor(_ id: String) throws -> PluginDescriptor {
        try #require(try descriptors().first { $0.id == id }, "no in-process plugin '\(id)'")
    }

    static func instance(_ id: String, options: [String: JSONValue] = [:], host: PluginHost = PluginHost()) throws -> PluginInstance {
        try PluginInstance(descriptor: descriptor(id), options: options, services: host)
    }

    static func reward(_ id: String, options: [String: JSONValue] = [:], host: PluginHost = PluginHost()) throws -> HostedReward {
        HostedReward(try instance(id, options: options, host: host))
    }
}

// MARK: Tests

@Suite struct SDKRoundTripTests {
    @Test func exportedListDescribesEveryPlugin() throws {
        #expect(InProcessPlugins.list.pointee.abi_version == UInt32(RLRUN_PLUGIN_ABI_VERSION))
        let descriptors = try InProcessPlugins.descriptors()
        #expect(descriptors.map(\.id) == ["sdk-characters", "sdk-faulty", "sdk-dataset", "sdk-low-confidence", "sdk-group-baseline"])
        #expect(descriptors.map(\.kind) == [.reward, .reward, .dataset, .masking, .algorithm])
        let reward = descriptors[0]
        #expect(reward.version == "2.1.0")
        #expect(reward.summary == "characters per completion times scale")
        #expect(reward.options == CharacterCountReward.info.options)
        #expect(reward.label == "sdk-characters 2.1.0 (reward, libsdk-tests.so)")
        let faulty = descriptors[1]
        #expect(faulty.options.first?.type == .choice(["too-few", "short-component", "nan", "swift-error", "refuse"]))
        #expect(faulty.options.first?.defaultValue == "too-few")
        // Only stateful plugins get save/load calls.
        #expect(reward.pointer.pointee.save_state != nil && reward.pointer.pointee.load_state != nil)
        #expect(descriptors[2].pointer.pointee.save_state == nil && descriptors[2].pointer.pointee.load_state == nil)
    }

    @Test func rewardWithComponents() throws {
        let log = LogRecorder()
        let reward = try InProcessPlugins.reward("sdk-characters", options: ["scale": 0.5, "note": "hello"], host: log.host)
        #expect(log.messages == ["sdk-characters: note hello"])
        #expect(reward.instance.configuration.values == ["scale": 0.5, "note": "hello"])
        let batch = RewardBatch(prompts: ["p0", "p1", "p2"], completions: ["abcd", "", "xy"], references: ["4", nil, "é"],
                                metadata: [#"{"a":1}"#, nil, "{}"], completionTokens: [3, 0, 7], truncated: [false, true, false])
        let scores = try reward.score(batch)
        #expect(scores.rewards == [2, 0, 1])
        #expect(scores.components == [
            "tokens": .numbers([3, 0, 7]),
            "reference": .labels(["4", "(none)", "é"]),
            "metadata": .labels([#"{"a":1}"#, "(none)", "{}"]),
            "truncated": .labels(["eos", "cut", "eos"]),
            "prompt": .labels(["p0", "p1", "p2"]),
        ])
        // Defaults are filled in by the host; an empty batch never reaches the plugin.
        let plain = try InProcessPlugins.reward("sdk-characters")
        #expect(plain.instance.configuration.values == ["scale": 1, "note": .null])
        #expect(try plain.score(rewardBatch([])).rewards == [])
    }

    @Test func rewardBatchArraysMustAgree() throws {
        let reward = try InProcessPlugins.reward("sdk-characters")
        let batch = RewardBatch(prompts: ["only one"], completions: ["a", "b"], references: [nil, nil])
        let error = try #require(throws: PluginError.self) { try reward.score(batch) }
        #expect(error.message.contains("differ in length"))
    }

    @Test(arguments: [
        ("too-few", "returned 1 rewards for 2 completions; score must return one reward per completion"),
        ("short-component", "component 'part' has 1 values for 2 completions; give every component one value per completion"),
        ("nan", "reward 1 is nan (completion: \"b\"); rewards must be finite numbers"),
        ("swift-error", "a Swift error that is not a PluginError"),
    ])
    func rewardContractViolations(fault: String, message: String) throws {
        let reward = try InProcessPlugins.reward("sdk-faulty", options: ["fault": .string(fault)])
        let error = try #require(throws: PluginCallError.self) { try reward.score(rewardBatch(["a", "b"])) }
        #expect(error.plugin == "sdk-faulty 0.0.1 (reward, libsdk-tests.so)")
        #expect(error.call == "score")
        #expect(error.message.contains(message), "\(error)")
        #expect(error.description.hasPrefix("plugin sdk-faulty 0.0.1 (reward, libsdk-tests.so): score failed: "))
        // The instance is still usable: one bad call does not poison the next.
        #expect(throws: PluginCallError.self) { try reward.score(rewardBatch(["c", "d"])) }
    }

    @Test func factoryErrorFromSwift() throws {
        let error = try #require(throws: PluginLoadError.self) {
            try InProcessPlugins.instance("sdk-faulty", options: ["fault": "refuse"])
        }
        #expect(error.file == "/in-process/libsdk-tests.so")
        #expect(error.problem == "plugin 'sdk-faulty' refused to start: fault 'refuse' refuses every configuration: pick another fault")
    }

    @Test func datasetSplitsSizesAndItems() throws {
        let dataset = try HostedDataset(InProcessPlugins.instance("sdk-dataset"))
        #expect(dataset.splits == ["train", "test"])
        #expect(try dataset.count(split: "train") == 3)
        #expect(try dataset.count(split: "test") == 1)
        #expect(try dataset.item(split: "train", index: 0)
            == DatasetItem(prompt: "1 + 1?", system: "Answer briefly.", reference: "2", metadata: #"{"level":1}"#))
        #expect(try dataset.item(split: "train", index: 1) == DatasetItem(prompt: "Name a colour."))
        #expect(try dataset.item(split: "train", index: 2) == DatasetItem(prompt: "2 * 3?", reference: "6"))
        #expect(try dataset.item(split: "test", index: 0) == DatasetItem(prompt: "10 / 2?", reference: "5"))
    }

    @Test func datasetOutOfRange() throws {
        let dataset = try HostedDataset(InProcessPlugins.instance("sdk-dataset"))
        let index = try #require(throws: PluginCallError.self) { try dataset.item(split: "train", index: 3) }
        #expect(index.call == "item")
        #expect(index.message == "index 3 is out of range: split 'train' has 3 items")
        let split = try #require(throws: PluginCallError.self) { try dataset.count(split: "validation") }
        #expect(split.message == "no split 'validation'; it has train, test")
        let itemSplit = try #require(throws: PluginCallError.self) { try dataset.item(split: "validation", index: 0) }
        #expect(itemSplit.call == "item")
        #expect(itemSplit.message == "no split 'validation'; it has train, test")
        let negative = try #require(throws: PluginCallError.self) { try dataset.item(split: "train", index: -1) }
        #expect(negative.message.contains("-1"))
        // Still serves items afterwards.
        #expect(try dataset.item(split: "test", index: 0).prompt == "10 / 2?")
    }

    @Test func maskingKeepsOnlyEligiblePositions() throws {
        let masking = HostedMasking(try InProcessPlugins.instance("sdk-low-confidence", options: ["threshold": 0.4, "rate": 0.3]))
        #expect(masking.needsConfidence)
        #expect(!masking.needsAttention)
        #expect(masking.instance.descriptor.flags & UInt32(RLRUN_FLAG_NEEDS_CONFIDENCE) != 0)
        let request = MaskingRequest(
            batch: 2, length: 3, tokens: [11, 12, 13, 21, 22, 23],
            eligible: [false, true, true, true, true, false],
            confidence: [0.1, 0.2, 0.9, 0.3, 0.5, 0.05],
            progress: 0.25, recentReward: nil, recentAccuracy: 0.75, seed: 1234)
        let choice = try masking.choose(request)
        // Low confidence at 0, 1, 3 and 5; 0 and 5 are not eligible.
        #expect(choice.mask == [false, true, false, true, false, false])
        #expect(choice.rate == 0.3)
        let seen = try #require(LowConfidenceMasking.request(seed: 1234))
        #expect(seen.batch == 2 && seen.length == 3)
        #expect(seen.tokens == request.tokens)
        #expect(seen.eligible == request.eligible)
        #expect(seen.confidence == request.confidence)
        #expect(seen.attention == nil)
        #expect(seen.progress == 0.25)
        #expect(seen.recentReward == nil)
        #expect(seen.recentAccuracy == 0.75)
        #expect(seen.seed == 1234)
    }

    @Test func maskingErrors() throws {
        let masking = HostedMasking(try InProcessPlugins.instance("sdk-low-confidence"))
        let missing = try #require(throws: PluginCallError.self) {
            try masking.choose(MaskingRequest(batch: 1, length: 2, tokens: [1, 2], eligible: [true, true], progress: 0, seed: 0))
        }
        #expect(missing.message.contains("needs confidence"))
        let shape = try #require(throws: PluginCallError.self) {
            try masking.choose(MaskingRequest(batch: 2, length: 2, tokens: [1, 2], eligible: [true, true], progress: 0, seed: 0))
        }
        #expect(shape.message.contains("batch × length"))
        let shortConfidence = try #require(throws: PluginCallError.self) {
            try masking.choose(MaskingRequest(batch: 1, length: 2, tokens: [1, 2], eligible: [true, true], confidence: [0.1],
                                              progress: 0, seed: 0))
        }
        #expect(shortConfidence.message.contains("batch × length"))
    }

    @Test func algorithmRequirements() throws {
        let algorithm = try HostedAlgorithm(InProcessPlugins.instance("sdk-group-baseline", options: ["group_size": 4]))
        #expect(algorithm.requirements == AlgorithmRequirements(
            policy: .maskedDiffusion, needsReference: true, needsCritic: false, needsEntropy: true, groupSize: 4, mu: 2,
            maxGenerationRounds: 3, trainerDefaults: ["learning_rate": 1e-6, "loss_aggregation": "token-sum"]))
    }

    @Test func algorithmShapesKeepsAndComputesAdvantages() throws {
        let algorithm = try HostedAlgorithm(InProcessPlugins.instance("sdk-group-baseline"))
        let rollout = Rollout(groupSize: 2, maxNewTokens: 8, completionTokens: [3, 8, 2, 5],
                              truncated: [false, true, false, false], correct: [1, 0, nil, 1])
        var rewards = [1.0, 0.5, 0.5, 0.5]
        try algorithm.shapeRewards(&rewards, rollout: rollout)
        #expect(rewards == [1.0, 0.0, 0.5, 0.5])
        #expect(try algorithm.keepGroups(rewards: rewards, rollout: rollout) == [true, false])

        let outputs = try algorithm.advantages(AdvantageInputs(
            rollout: rollout, rewards: try Tensor(rewards.map(Float.init)), mask: try Tensor.ones([4, 8]),
            oldLogProbs: try Tensor.zeros([4, 8])))
        #expect(outputs.advantages.shape == [4])
        expectClose(try outputs.advantages.toArray(Double.self), [0.5, -0.5, 0, 0], tolerance: 1e-6, "advantages")
        #expect(outputs.returns == nil)
    }

    @Test func algorithmRolloutArraysMustAgree() throws {
        let algorithm = try HostedAlgorithm(InProcessPlugins.instance("sdk-group-baseline"))
        let rollout = Rollout(groupSize: 2, maxNewTokens: 8, completionTokens: [3, 8, 2, 5],
                              truncated: [false, true, false, false], correct: [1, 0, nil, 1])
        var tooFew = [1.0, 0.5, 0.5]
        let shape = try #require(throws: PluginCallError.self) { try algorithm.shapeRewards(&tooFew, rollout: rollout) }
        #expect(shape.call == "shape_rewards")
        #expect(shape.message.contains("each needs one per completion"))
        #expect(throws: PluginCallError.self) { try algorithm.keepGroups(rewards: tooFew, rollout: rollout) }
        var shortTruncated = rollout
        shortTruncated.truncated = [false]
        var rewards = [1.0, 0.5, 0.5, 0.5]
        #expect(throws: PluginCallError.self) { try algorithm.shapeRewards(&rewards, rollout: shortTruncated) }
    }

    @Test func algorithmLossBackpropagatesToHostLeaf() throws {
        let algorithm = try HostedAlgorithm(InProcessPlugins.instance("sdk-group-baseline"))
        // n = 2 sequences, T = 3 tokens; the second token row is fully valid, the first has 2.
        let logProbs = try Tensor([-1, -2, -3, -0.5, -1, -1.5] as [Float], shape: [2, 3]).requiringGrad()
        let mask = try Tensor([1, 1, 0, 1, 1, 1] as [Float], shape: [2, 3])
        let advantages = try Tensor([1, -2] as [Float])
        let outputs = try algorithm.loss(LossInputs(
            logProbs: logProbs, oldLogProbs: try logProbs.detached(), refLogProbs: try Tensor.zeros([2, 3]),
            advantages: advantages, mask: mask, stepTokens: 5, stepSequences: 2, maxNewTokens: 3))
        // loss = -Σ A·logp·mask / 5 = -((1)(-1 - 2) + (-2)(-0.5 - 1 - 1.5)) / 5 = -0.6
        expectClose([try outputs.loss.item()], [-0.6], tolerance: 1e-6, "loss")
        #expect(outputs.metrics.map(\.name) == ["tokens", "advantage_mean", "kl"])
        expectClose(outputs.metrics.map(\.value), [5, -0.5, -1.2], tolerance: 1e-6, "metrics")
        // d loss / d logp = -A·mask / 5, reaching the leaf the host made.
        #expect(logProbs.grad == nil)
        try outputs.loss.backward()
        let gradient = try #require(logProbs.grad)
        expectClose(try gradient.toArray(Double.self), [-0.2, -0.2, 0, 0.4, 0.4, 0.4], tolerance: 1e-6, "gradient")
    }

    @Test func statefulPluginRoundTrip() throws {
        let first = try InProcessPlugins.reward("sdk-characters")
        _ = try first.score(rewardBatch(["a"]))
        _ = try first.score(rewardBatch(["b"]))
        let state = try #require(try first.instance.saveState())
        #expect(String(decoding: state, as: UTF8.self) == "calls=2")

        let second = try InProcessPlugins.reward("sdk-characters")
        #expect(try second.instance.saveState().map { String(decoding: $0, as: UTF8.self) } == "calls=0")
        try second.instance.loadState(state)
        _ = try second.score(rewardBatch(["c"]))
        #expect(try second.instance.saveState().map { String(decoding: $0, as: UTF8.self) } == "calls=3")

        let bad = try #require(throws: PluginCallError.self) { try second.instance.loadState(Array("junk".utf8)) }
        #expect(bad.call == "load_state")
        #expect(bad.message.contains("not a call count"))

        // A plugin without state saves none and refuses state given to it.
        let dataset = try InProcessPlugins.instance("sdk-dataset")
        #expect(try dataset.saveState() == nil)
        let refused = try #require(throws: PluginCallError.self) { try dataset.loadState([1, 2, 3]) }
        #expect(refused.message.contains("keeps no state"))
    }

    @Test func hostOptionChecksComeBeforeCreate() throws {
        let log = LogRecorder()
        let unknown = try #require(throws: PluginLoadError.self) {
            try InProcessPlugins.instance("sdk-characters", options: ["scael": 2], host: log.host)
        }
        #expect(unknown.problem.contains("unknown option 'scael' for plugin 'sdk-characters'; its options are: note, scale"))
        #expect(unknown.fix.contains("rlrun plugins inspect"))
        let wrongType = try #require(throws: PluginLoadError.self) {
            try InProcessPlugins.instance("sdk-characters", options: ["scale": "big"], host: log.host)
        }
        #expect(wrongType.problem.contains("option 'scale' expects a number"))
        #expect(log.messages.isEmpty, "create must not run for a refused configuration")
    }
}

// MARK: Configuration

@Suite struct PluginConfigurationTests {
    static let options: [PluginOption] = [
        .number("clip", default: 0.2, help: "clip range"),
        .integer("group_size", default: 8, help: "completions per prompt"),
        .boolean("normalize", default: true, help: "divide by the group's std"),
        .string("model", default: nil, help: "reward model path"),
        .string("prefix", default: "A:", help: "answer prefix"),
        .choice("aggregation", ["token-mean", "sequence-mean"], default: "token-mean", help: "loss aggregation"),
        PluginOption("extra", .json, default: .object([:]), help: "anything"),
    ]

    func configuration(_ given: [String: JSONValue]) throws -> PluginConfiguration {
        try PluginConfiguration(pluginID: "demo", options: Self.options, given: given)
    }

    func refusal(_ given: [String: JSONValue]) throws -> String {
        try #require(throws: PluginError.self) { try configuration(given) }.message
    }

    @Test func defaultsAreFilledIn() throws {
        let config = try configuration([:])
        #expect(try config.double("clip") == 0.2)
        #expect(try config.int("group_size") == 8)
        #expect(try config.bool("normalize"))
        #expect(try config.string("model") == nil)
        #expect(try config.string("prefix") == "A:")
        #expect(try config.string("aggregation") == "token-mean")
        #expect(try config.json("extra") == .object([:]))
        #expect(config.jsonText
            == #"{"aggregation":"token-mean","clip":0.2,"extra":{},"group_size":8,"model":null,"normalize":true,"prefix":"A:"}"#)
    }

    @Test func givenValuesWin() throws {
        let config = try configuration(["clip": 1, "group_size": 16.0, "model": "/m", "extra": .array([1, "two"]), "aggregation": "sequence-mean"])
        #expect(try config.double("clip") == 1)
        #expect(try config.int("group_size") == 16)
        #expect(try config.string("model") == "/m")
        #expect(try config.json("extra") == .array([1, "two"]))
        #expect(try config.string("aggregation") == "sequence-mean")
    }

    @Test func unknownOptionListsKnownOnes() throws {
        #expect(try refusal(["clp": 0.3])
            == "unknown option 'clp' for plugin 'demo'; its options are: aggregation, clip, extra, group_size, model, normalize, prefix")
        let none = try #require(throws: PluginError.self) {
            try PluginConfiguration(pluginID: "bare", options: [], given: ["x": 1])
        }
        #expect(none.message == "unknown option 'x' for plugin 'bare'; its options are: (none)")
        #expect(none.code == .config)
    }

    @Test func wrongTypes() throws {
        #expect(try refusal(["clip": "0.3"]) == #"option 'clip' expects a number (clip range); got string "0.3""#)
        #expect(try refusal(["normalize": 1]) == "option 'normalize' expects a boolean (divide by the group's std); got number 1")
        #expect(try refusal(["prefix": false]) == "option 'prefix' expects a string (answer prefix); got boolean false")
        #expect(try refusal(["aggregation": 2]).contains("option 'aggregation' expects a choice"))
    }

    @Test func choiceValues() throws {
        #expect(try refusal(["aggregation": "sum"]) == #"option 'aggregation' must be one of token-mean, sequence-mean; got "sum""#)
    }

    @Test func integerVersusFractionalNumber() throws {
        #expect(try refusal(["group_size": 2.5]) == "option 'group_size' expects an integer (completions per prompt); got number 2.5")
        #expect(try refusal(["group_size": "4"]).contains("option 'group_size' expects"))
        #expect(try refusal(["group_size": 1e18]).contains("option 'group_size' expects"))
        #expect(try configuration(["group_size": -3]).int("group_size") == -3)
        // A number option takes whole numbers too.
        #expect(try configuration(["clip": 2]).double("clip") == 2)
    }

    @Test func nullOnlyWhereTheDefaultIsNull() throws {
        #expect(try configuration(["model": nil]).string("model") == nil)
        #expect(try refusal(["prefix": nil]) == "option 'prefix' expects a string (answer prefix); got null")
        #expect(try refusal(["clip": nil]).contains("option 'clip' expects a number"))
        #expect(try refusal(["aggregation": nil]).contains("option 'aggregation' expects a choice"))
    }

    @Test func duplicateDeclarationsAreAnErrorNotACrash() throws {
        let error = try #require(throws: PluginError.self) {
            try PluginConfiguration(pluginID: "twice", options: [.number("a", default: 1, help: ""), .integer("a", default: 2, help: "")],
                                    given: [:])
        }
        #expect(error.message.contains("declares option 'a' twice"))
    }

    @Test func readingAnUndeclaredOption() throws {
        let error = try #require(throws: PluginError.self) { try configuration([:]).double("nope") }
        #expect(error.message == "plugin 'demo' reads option 'nope' that it does not declare")
        #expect(throws: PluginError.self) { try configuration([:]).int("clip") }
    }

    @Test func fromJSONText() throws {
        #expect(try PluginConfiguration(pluginID: "demo", options: Self.options, json: #"{"clip": 0.1}"#).double("clip") == 0.1)
        #expect(try PluginConfiguration(pluginID: "demo", options: Self.options, json: "").double("clip") == 0.2)
        let array = try #require(throws: PluginError.self) {
            try PluginConfiguration(pluginID: "demo", options: Self.options, json: "[1]")
        }
        #expect(array.message == "the configuration of 'demo' must be a JSON object, got array")
        let broken = try #require(throws: PluginError.self) {
            try PluginConfiguration(pluginID: "demo", options: Self.options, json: "{clip: 1")
        }
        #expect(broken.message.hasPrefix("not valid JSON"))
    }
}

// MARK: Reward composition, specs and scoring files

/// A Swift reward for the composer: a constant, or the completion's length, with a component.
final class SimpleReward: RewardFunction {
    let value: (String) -> Double
    let component: String?

    init(component: String? = nil, _ value: @escaping (String) -> Double) {
        self.value = value
        self.component = component
    }

    func score(_ batch: RewardBatch) throws -> RewardScores {
        let rewards = batch.completions.map(value)
        return RewardScores(rewards: rewards, components: component.map { [$0: .labels(batch.completions)] } ?? [:])
    }
}

@Suite struct RewardComposerTests {
    @Test func weightsAndComponentNames() throws {
        let composer = RewardComposer([
            .init(name: "length", weight: 0.5, reward: SimpleReward(component: "text") { Double($0.count) }),
            .init(name: "format", weight: 2, reward: SimpleReward { $0.hasPrefix("A") ? 1 : 0 }),
            .init(name: "length", weight: -1, reward: SimpleReward { _ in 3 }),
        ])
        #expect(composer.terms.map(\.name) == ["length", "format", "length#2"])
        let scores = try composer.score(rewardBatch(["Ab", "xyzw"]))
        // 0.5·length + 2·(starts with "A") − 3
        #expect(scores.rewards == [0, -1])
        #expect(scores.components == [
            "length": .numbers([2, 4]),
            "length.text": .labels(["Ab", "xyzw"]),
            "format": .numbers([1, 0]),
            "length#2": .numbers([3, 3]),
        ])
    }

    @Test func composedHostedRewards() throws {
        let composer = RewardComposer([
            .init(name: "chars", weight: 2, reward: try InProcessPlugins.reward("sdk-characters")),
        ])
        let scores = try composer.score(rewardBatch(["abc"]))
        #expect(scores.rewards == [6])
        #expect(scores.components["chars"] == .numbers([3]))
        #expect(scores.components["chars.tokens"] == .numbers([1]))
    }

    @Test func aRewardOfTheWrongLengthIsAnErrorNotACrash() throws {
        let composer = RewardComposer([.init(name: "short", weight: 1, reward: ShortSwiftReward())])
        let error = try #require(throws: PluginError.self) { try composer.score(rewardBatch(["a", "b"])) }
        #expect(error.message.contains("short"))
    }

    @Test(arguments: [
        ("gsm8k", "gsm8k", 1.0),
        ("format:0.5", "format", 0.5),
        ("a/b/libx.so:2", "a/b/libx.so", 2.0),
        ("penalty:-1", "penalty", -1.0),
    ])
    func rewardSpecParsing(text: String, name: String, weight: Double) throws {
        let spec = try RewardSpec(parsing: text)
        #expect(spec.name == name)
        #expect(spec.weight == weight)
    }

    @Test(arguments: [":2", "", "x:nan", "x:inf", "odd:name", "trailing:"])
    func badRewardSpecs(text: String) throws {
        let error = try #require(throws: PluginError.self) { try RewardSpec(parsing: text) }
        #expect(error.message.contains("'\(text)'"))
    }
}

/// A Swift reward (not through the C ABI) that returns one reward too few.
final class ShortSwiftReward: RewardFunction {
    func score(_ batch: RewardBatch) throws -> RewardScores { RewardScores(rewards: Array(repeating: 1, count: batch.count - 1)) }
}

@Suite struct ScoringJobTests {
    func read(_ lines: [String]) throws -> (url: URL, result: Result<[ScoringJob.Line], PluginError>, directory: TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        let url = try directory.write("completions.jsonl", lines.joined(separator: "\n"))
        do { return (url, .success(try ScoringJob.read(url)), directory) } catch let error as PluginError {
            return (url, .failure(error), directory)
        }
    }

    func failure(_ lines: [String]) throws -> (path: String, message: String) {
        let (url, result, _) = try read(lines)
        guard case .failure(let error) = result else {
            Issue.record("expected an error for \(lines)")
            return (url.path, "")
        }
        return (url.path, error.message)
    }

    @Test func readsLines() throws {
        let (_, result, _) = try read([
            #"{"prompt": "p", "completion": "the answer is 4", "reference": "4", "metadata": {"id": 7}}"#,
            "",
            #"{"completion": "x", "reference": 42, "completion_tokens": 9}"#,
            #"{"completion": "y z", "reference": 2.5, "metadata": null}"#,
            #"  {"completion": "w", "reference": null, "truncated": true}  "#,
        ])
        let lines = try result.get()
        #expect(lines.map(\.lineNumber) == [1, 3, 4, 5])
        #expect(lines.map(\.prompt) == ["p", "", "", ""])
        #expect(lines.map(\.reference) == ["4", "42", "2.5", nil])
        #expect(lines.map(\.metadata) == [#"{"id":7}"#, nil, nil, nil])
        #expect(lines.map(\.completionTokens) == [4, 9, 2, 1])
        #expect(lines.map(\.truncated) == [false, false, false, true])
    }

    @Test func hugeNumericReferenceIsReadNotACrash() throws {
        let lines = try read([#"{"completion": "x", "reference": 1e20}"#, #"{"completion": "x", "reference": -3}"#]).result.get()
        #expect(lines.map(\.reference) == ["1e+20", "-3"])
    }

    @Test func badJSONNamesFileAndLine() throws {
        let (path, message) = try failure([#"{"completion": "ok"}"#, #"{"completion": "#])
        #expect(message.hasPrefix("\(path):2: "))
        #expect(message.contains("not valid JSON"))
        let (arrayPath, arrayMessage) = try failure(["[1, 2]"])
        #expect(arrayMessage == "\(arrayPath):1: a JSON object is needed")
    }

    @Test func missingCompletionNamesFileAndLine() throws {
        let (path, message) = try failure([#"{"completion": "ok"}"#, "", #"{"prompt": "p", "answer": "x"}"#])
        #expect(message.hasPrefix("\(path):3: needs a string field \"completion\""))
        let (numberPath, numberMessage) = try failure([#"{"completion": 5}"#])
        #expect(numberMessage.hasPrefix("\(numberPath):1: needs a string field \"completion\""))
    }

    @Test func badReferenceTypeNamesFileAndLine() throws {
        let (path, message) = try failure([#"{"completion": "a", "reference": ["4"]}"#])
        #expect(message == "\(path):1: \"reference\" must be a string or a number")
        let (boolPath, boolMessage) = try failure([#"{"completion": "a"}"#, #"{"completion": "b", "reference": true}"#])
        #expect(boolMessage == "\(boolPath):2: \"reference\" must be a string or a number")
    }

    @Test func metadataMustBeAnObject() throws {
        let (path, message) = try failure([#"{"completion": "a", "metadata": "level 3"}"#])
        #expect(message == "\(path):1: \"metadata\" must be a JSON object")
    }

    @Test func emptyFile() throws {
        let (path, message) = try failure(["", "  "])
        #expect(message == "\(path): no lines to score")
    }

    @Test func missingFile() throws {
        let url = URL(fileURLWithPath: "/nonexistent/rlrun/completions.jsonl")
        let error = try #require(throws: PluginError.self) { try ScoringJob.read(url) }
        #expect(error.message.hasPrefix("/nonexistent/rlrun/completions.jsonl: cannot read"))
    }

    @Test func runEmitsScoresInOrder() throws {
        let lines = try read([#"{"completion": "aa"}"#, #"{"completion": "b"}"#, #"{"completion": "ccc"}"#]).result.get()
        var job = ScoringJob(composer: RewardComposer([.init(name: "len", weight: 1, reward: SimpleReward { Double($0.count) })]))
        job.batchSize = 2
        var emitted: [(Int, Double, [String: JSONValue])] = []
        try job.run(lines) { line, reward, components in emitted.append((line.lineNumber, reward, components)) }
        #expect(emitted.map(\.0) == [1, 2, 3])
        #expect(emitted.map(\.1) == [2, 1, 3])
        #expect(emitted.map(\.2) == [["len": 2], ["len": 1], ["len": 3]])
    }
}
