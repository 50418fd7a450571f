import ReasoningFormats
import RLRunSDK

/// Rewards the tagged reasoning format: a thinking span, then the answer in `<answer>` tags.
/// Strict and soft are the patterns of open-r1 and d1 (see `ReasoningFormat`); d1's xml-count
/// adds partial credit for each tag line, which helps a model that has not found the format yet.
public final class FormatReward: PluginDefinition, RewardFunction {
    public static let info = PluginInfo(
        id: "format", version: "1.0.0",
        summary: "reasoning format: <think>…</think><answer>…</answer> or <reasoning>…</reasoning><answer>…</answer>, strict or soft, optional xml-count credit",
        options: [
            .choice("format", ["any"] + ReasoningFormat.allCases.map(\.rawValue), default: "any",
                    help: "which thinking tag to require; any: either"),
            .choice("mode", ["strict", "soft"], default: "strict",
                    help: "strict: tags on their own lines as open-r1 (think) and d1 (reasoning) check them; soft: tags in order, any spacing"),
            .number("reward", default: 1.0, help: "reward when the format matches (d1 gives 0.5)"),
            .boolean("xml_count", default: false, help: "add d1's xml-count partial credit: up to 0.5 for the tag lines, less 0.001 per character after </answer>"),
        ],
        threadSafe: true)

    private let formats: [ReasoningFormat]
    private let strict: Bool
    private let reward: Double
    private let addsXMLCount: Bool

    public init(configuration: PluginConfiguration, host: PluginHost) throws {
        let format = try configuration.string("format") ?? "any"
        formats = ReasoningFormat(rawValue: format).map { [$0] } ?? ReasoningFormat.allCases
        strict = try configuration.string("mode") == "strict"
        reward = try configuration.double("reward")
        addsXMLCount = try configuration.bool("xml_count")
    }

    public func score(_ batch: RewardBatch) throws -> RewardScores {
        var rewards: [Double] = []
        var strictMatches: [Double] = []
        var softMatches: [Double] = []
        var xmlCounts: [Double] = []
        var found: [String] = []
        for completion in batch.completions {
            let strictFormat = formats.first { $0.matchesStrictly(completion) }
            let softFormat = formats.first { $0.matchesSoftly(completion) }
            let xmlCount = formats.map { $0.xmlCount(completion) }.max() ?? 0
            let matched = strict ? strictFormat != nil : softFormat != nil
            rewards.append((matched ? reward : 0) + (addsXMLCount ? xmlCount : 0))
            strictMatches.append(strictFormat == nil ? 0 : 1)
            softMatches.append(softFormat == nil ? 0 : 1)
            xmlCounts.append(xmlCount)
            found.append((strictFormat ?? softFormat)?.rawValue ?? "none")
        }
        var components: [String: RewardComponent] = [
            "strict": .numbers(strictMatches), "soft": .numbers(softMatches), "format": .labels(found),
        ]
        if addsXMLCount { components["xml_count"] = .numbers(xmlCounts) }
        return RewardScores(rewards: rewards, components: components)
    }
}
