import RLRunSDK

/// 1.0 for completions whose length lies in a band of tokens, falling linearly to 0 over
/// `slack` tokens on either side: keeps reasoning from collapsing or rambling.
final class LengthBand: PluginDefinition, RewardFunction {
    static let info = PluginInfo(
        id: "length-band", version: "1.0.0",
        summary: "1 inside a band of completion lengths, falling linearly to 0 outside it",
        options: [
            .integer("min_tokens", default: 20, help: "shortest completion that gets the full reward"),
            .integer("max_tokens", default: 200, help: "longest completion that gets the full reward"),
            .integer("slack", default: 50, help: "tokens over which the reward falls to 0 outside the band"),
        ])

    let band: ClosedRange<Int>
    let slack: Double

    init(configuration: PluginConfiguration, host: PluginHost) throws {
        let low = try configuration.int("min_tokens"), high = try configuration.int("max_tokens")
        guard low <= high else { throw PluginError(.config, "min_tokens (\(low)) must not exceed max_tokens (\(high))") }
        band = low...high
        slack = Double(max(1, try configuration.int("slack")))
    }

    func score(_ batch: RewardBatch) throws -> RewardScores {
        let rewards = batch.completionTokens.map { length -> Double in
            let outside = length < band.lowerBound ? band.lowerBound - length : max(0, length - band.upperBound)
            return max(0, 1 - Double(outside) / slack)
        }
        return RewardScores(rewards: rewards, components: ["length": .numbers(batch.completionTokens.map(Double.init))])
    }
}

@_cdecl("rlrun_plugin_entry") public func rlrunPluginEntry() -> UnsafeRawPointer { PluginLibrary.export(.reward(LengthBand.self)) }
