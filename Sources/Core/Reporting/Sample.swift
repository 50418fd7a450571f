import Foundation

/// One completion as samples.jsonl records it: what the policy was asked, what it wrote, and
/// how it was scored (the total and, optionally, each reward component).
public struct Sample: Codable, Sendable, Equatable {
    public var step: Int
    public var prompt: String
    public var completion: String
    /// NaN when the reward could not be computed (stored as null).
    public var reward: Double
    public var reference: String?
    public var components: [String: Double]?

    public init(step: Int, prompt: String, completion: String, reward: Double, reference: String? = nil,
                components: [String: Double]? = nil) {
        self.step = step
        self.prompt = prompt
        self.completion = completion
        self.reward = reward
        self.reference = reference
        self.components = components
    }

    enum CodingKeys: String, CodingKey { case step, prompt, completion, reward, reference, components }

    // JSON has no NaN, so non-finite numbers travel as null and come back as NaN.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        step = try container.decode(Int.self, forKey: .step)
        prompt = try container.decode(String.self, forKey: .prompt)
        completion = try container.decode(String.self, forKey: .completion)
        reward = try container.decodeIfPresent(Double.self, forKey: .reward) ?? .nan
        reference = try container.decodeIfPresent(String.self, forKey: .reference)
        components = try container.decodeIfPresent([String: Double?].self, forKey: .components)?.mapValues { $0 ?? .nan }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(step, forKey: .step)
        try container.encode(prompt, forKey: .prompt)
        try container.encode(completion, forKey: .completion)
        try container.encode(reward.isFinite ? reward : nil, forKey: .reward)
        try container.encodeIfPresent(reference, forKey: .reference)
        try container.encodeIfPresent(components?.mapValues { $0.isFinite ? $0 : nil }, forKey: .components)
    }
}

/// Appends samples to a run's samples.jsonl.
public typealias SamplesWriter = JSONLinesWriter<Sample>

/// Reads a run's samples.jsonl.
public enum SamplesFile {
    public static func read(_ url: URL) throws -> [Sample] { try JSONLines.decode(Sample.self, from: url) }
}
