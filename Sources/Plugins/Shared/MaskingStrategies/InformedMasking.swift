import RLRunSDK

/// `informed`: in every row, masks the k = round(rate · eligible positions of the row) eligible
/// positions the model finds hardest: the lowest confidence (its top softmax probability), or
/// with `by: attention` the highest attention received. Ties are broken by a generator seeded
/// with the request's seed, so the same request gives the same mask.
///
/// The host fills `confidence` and `attention` only for plugins that declare they need them,
/// and the declaration is per plugin, not per configuration: this plugin declares both.
public final class InformedMasking: PluginDefinition, MaskingStrategy {
    public enum Score: String, CaseIterable, Sendable { case confidence, attention }

    public static let info = PluginInfo(
        id: "informed", version: "1.0.0",
        summary: "masks the eligible positions with the lowest model confidence (or the highest attention received)",
        options: [
            .number("rate", default: 0.15, help: "fraction of each row's eligible positions to mask (rounded), in [0, 1]"),
            .choice("by", Score.allCases.map(\.rawValue), default: "confidence",
                    help: "confidence: mask the least confident positions; attention: mask the most attended ones"),
        ],
        threadSafe: true)

    public static var needsConfidence: Bool { true }
    public static var needsAttention: Bool { true }

    public let rate: Double
    public let score: Score

    public init(configuration: PluginConfiguration, host: PluginHost) throws {
        rate = try configuration.rate("rate")
        guard let score = Score(rawValue: try configuration.string("by") ?? "") else {
            throw PluginError(.config, "informed: by must be confidence or attention")
        }
        self.score = score
    }

    public func choose(_ request: MaskingRequest) throws -> MaskingChoice {
        try request.validate(for: Self.info.id)
        let values = score == .confidence ? request.confidence : request.attention
        guard let values else {
            let flag = score == .confidence ? "needsConfidence" : "needsAttention"
            throw PluginError(.input, "informed (by: \(score.rawValue)) needs the model's \(score.rawValue) per position, but the request carries none. This plugin declares \(flag), so the host should fill it: the host does not support it. Use by: \(score == .confidence ? "attention" : "confidence") if the host provides that, or the random masking plugin.")
        }
        // Harder positions first: low confidence, or high attention.
        let hardness: (Float) -> Float = score == .confidence ? { -$0 } : { $0 }
        var generator = seededGenerator(for: request)
        let tieBreak = (0..<request.positions).map { _ in generator.next() }
        var mask = Array(repeating: false, count: request.positions)
        for row in 0..<request.batch {
            let positions = (row * request.length..<(row + 1) * request.length).filter { request.eligible[$0] }
            if let bad = positions.first(where: { values[$0].isNaN }) {
                throw PluginError(.input, "informed: \(score.rawValue) is NaN at row \(row), position \(bad - row * request.length)")
            }
            let k = Int((rate * Double(positions.count)).rounded(.toNearestOrAwayFromZero))
            let ranked = positions.sorted { a, b in
                let (ha, hb) = (hardness(values[a]), hardness(values[b]))
                return ha != hb ? ha > hb : tieBreak[a] < tieBreak[b]
            }
            for position in ranked.prefix(k) { mask[position] = true }
        }
        return MaskingChoice(mask: mask, rate: rate)
    }
}
