import RLRunSDK

/// `random`: each eligible position is masked independently with a fixed probability, drawn
/// from a generator seeded with the request's seed only (same request, same mask).
public final class RandomMasking: PluginDefinition, MaskingStrategy {
    public static let info = PluginInfo(
        id: "random", version: "1.0.0", summary: "masks each eligible position independently at a fixed rate",
        options: [.number("rate", default: 0.15, help: "probability of masking an eligible position, in [0, 1]")],
        threadSafe: true)

    public let rate: Double

    public init(configuration: PluginConfiguration, host: PluginHost) throws {
        rate = try configuration.rate("rate")
    }

    public func choose(_ request: MaskingRequest) throws -> MaskingChoice {
        try request.validate(for: Self.info.id)
        return MaskingChoice(mask: independentMask(request, rate: rate), rate: rate)
    }
}
