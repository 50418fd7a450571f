import Foundation
import RLRunABI
import RLRunSDK

/// A reward plugin loaded through the C ABI, seen as a `RewardFunction`. Every result is
/// checked: one finite reward per completion, components of the right length.
public final class HostedReward: RewardFunction, @unchecked Sendable {
    public let instance: PluginInstance

    init(_ instance: PluginInstance) { self.instance = instance }

    public func score(_ batch: RewardBatch) throws -> RewardScores {
        try batch.validate()
        let n = batch.count
        if n == 0 { return RewardScores(rewards: []) }
        var rewards = [Double](repeating: .nan, count: n)
        var componentsText: UnsafePointer<CChar>?
        try CStrings.with(batch.prompts) { prompts in
            try CStrings.with(batch.completions) { completions in
                try CStrings.with(batch.references) { references in
                    try CStrings.with(batch.metadata) { metadata in
                        let tokens = batch.completionTokens.map { UInt32(clamping: $0) }
                        let truncated = batch.truncated.map { UInt8($0 ? 1 : 0) }
                        try tokens.withUnsafeBufferPointer { tokens in
                            try truncated.withUnsafeBufferPointer { truncated in
                                var input = rlrun_reward_batch(
                                    count: UInt32(n), prompts: prompts, completions: completions, references: references,
                                    metadata: metadata, completion_tokens: tokens.baseAddress, truncated: truncated.baseAddress)
                                let score = instance.calls.load(as: rlrun_reward_calls.self).score!
                                try instance.call("score") { score(instance.handle, &input, &rewards, &componentsText, $0) }
                            }
                        }
                    }
                }
            }
        }
        for (i, reward) in rewards.enumerated() where !reward.isFinite {
            throw PluginCallError(plugin: instance.descriptor.label, call: "score",
                                  message: "reward \(i) is \(reward) (completion: \(batch.completions[i].prefix(60).debugDescription)); rewards must be finite numbers")
        }
        return RewardScores(rewards: rewards, components: try components(componentsText, count: n))
    }

    private func components(_ text: UnsafePointer<CChar>?, count: Int) throws -> [String: RewardComponent] {
        guard let text else { return [:] }
        let fail = { (message: String) in PluginCallError(plugin: self.instance.descriptor.label, call: "score", message: message) }
        guard let object = (try? JSONValue(parsing: String(cString: text)))?.objectValue else {
            throw fail("components must be a JSON object of arrays")
        }
        var result: [String: RewardComponent] = [:]
        for (name, value) in object {
            guard let component = RewardComponent(json: value) else {
                throw fail("component '\(name)' must be an array of numbers or of strings")
            }
            guard component.count == count else {
                throw fail("component '\(name)' has \(component.count) values for \(count) completions; each component needs one value per completion")
            }
            result[name] = component
        }
        return result
    }
}

/// Arrays of Swift strings lent to C as `const char *const *` for the duration of a call.
enum CStrings {
    static func with<R>(_ values: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) throws -> R) rethrows -> R {
        let copies: [UnsafeMutablePointer<CChar>?] = values.map { $0.map { strdup($0) } }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer($0) }
        return try pointers.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    static func with<R>(_ values: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) throws -> R) rethrows -> R {
        try with(values.map(Optional.some), body)
    }
}
