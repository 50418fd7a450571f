/// Completions to score, one entry per completion in every array.
public struct RewardBatch: Sendable {
    public var prompts: [String]
    public var completions: [String]
    public var references: [String?]
    /// JSON object text per item (the dataset's metadata), nil where there is none.
    public var metadata: [String?]
    public var completionTokens: [Int]
    public var truncated: [Bool]

    public var count: Int { completions.count }

    public init(prompts: [String], completions: [String], references: [String?], metadata: [String?]? = nil,
                completionTokens: [Int]? = nil, truncated: [Bool]? = nil) {
        self.prompts = prompts
        self.completions = completions
        self.references = references
        self.metadata = metadata ?? Array(repeating: nil, count: completions.count)
        self.completionTokens = completionTokens ?? Array(repeating: 0, count: completions.count)
        self.truncated = truncated ?? Array(repeating: false, count: completions.count)
    }

    /// Checks that every array has one entry per completion.
    public func validate() throws {
        let counts = [prompts.count, references.count, metadata.count, completionTokens.count, truncated.count]
        guard counts.allSatisfy({ $0 == count }) else {
            throw PluginError(.input, "reward batch arrays differ in length: \(count) completions, \(counts) others")
        }
    }
}

/// Named per-completion values a reward reports next to the reward itself (logged by the host).
public enum RewardComponent: Sendable, Equatable {
    case numbers([Double])
    case labels([String])

    public var count: Int {
        switch self {
        case .numbers(let v): v.count
        case .labels(let v): v.count
        }
    }

    public var json: JSONValue {
        switch self {
        case .numbers(let v): .array(v.map { .number($0) })
        case .labels(let v): .array(v.map { .string($0) })
        }
    }

    public init?(json: JSONValue) {
        guard let items = json.arrayValue else { return nil }
        if let numbers = items.map(\.doubleValue) as? [Double] {
            self = .numbers(numbers)
        } else if let labels = items.map(\.stringValue) as? [String] {
            self = .labels(labels)
        } else {
            return nil
        }
    }
}

public struct RewardScores: Sendable, Equatable {
    public var rewards: [Double]
    public var components: [String: RewardComponent]

    public init(rewards: [Double], components: [String: RewardComponent] = [:]) {
        self.rewards = rewards
        self.components = components
    }

    /// Components as the JSON object that crosses the boundary.
    var componentsJSON: JSONValue { .object(components.mapValues(\.json)) }
}

/// Scores completions. `score` gets the whole batch at once so that a reward can batch its
/// own work (a model, a sandbox, a remote service).
public protocol RewardFunction: AnyObject {
    func score(_ batch: RewardBatch) throws -> RewardScores
}
