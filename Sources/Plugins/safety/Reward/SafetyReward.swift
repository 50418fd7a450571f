import ContentRules
import RLRunSDK

/// Blocks content by category: phrase lists and regular expressions (refusals and unsafe
/// instructions by default, the same lists LIMEN's content check uses). A clean completion
/// gets 1, a blocked one `blocked`; each category's match count is logged.
public final class SafetyReward: PluginDefinition, RewardFunction {
    public static let info = PluginInfo(
        id: "safety", version: "1.0.0",
        summary: "1 when the completion has no blocked content (configurable categories of phrases and patterns)",
        options: [
            PluginOption("default_categories", .json, default: .array(ContentCategory.defaults.map { .string($0.name) }),
                         help: "built-in categories to use: \(ContentCategory.defaults.map(\.name).joined(separator: ", ")); [] for none"),
            PluginOption("categories", .json, default: .object([:]),
                         help: "your categories, {\"name\": {\"phrases\": [\"...\"], \"patterns\": [\"regex\"]}}; a built-in name replaces it"),
            .number("blocked", default: 0, help: "reward of a completion with blocked content"),
        ],
        threadSafe: true)

    private let rules: ContentRules
    private let blocked: Double

    public init(configuration: PluginConfiguration, host: PluginHost) throws {
        rules = try ContentRules(defaultNames: try configuration.json("default_categories"),
                                 custom: try configuration.json("categories"))
        guard !rules.categories.isEmpty else {
            throw PluginError(.config, "safety has no category to check: keep a default category or give your own in categories")
        }
        blocked = try configuration.double("blocked")
    }

    public func score(_ batch: RewardBatch) throws -> RewardScores {
        let counts = batch.completions.map(rules.matchCounts(in:))
        var components: [String: RewardComponent] = [:]
        for (k, category) in rules.categories.enumerated() {
            components[category.name] = .numbers(counts.map { Double($0[k]) })
        }
        return RewardScores(rewards: counts.map { $0.allSatisfy { $0 == 0 } ? 1 : blocked }, components: components)
    }
}
