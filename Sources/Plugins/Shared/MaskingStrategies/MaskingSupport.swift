import RLRunSDK
import SeededRandom

extension MaskingRequest {
    /// Positions in the batch.
    var positions: Int { batch * length }

    /// Refuses a request whose arrays do not match its declared size; `id` names the plugin.
    func validate(for id: String) throws {
        guard batch >= 0, length >= 0 else {
            throw PluginError(.input, "\(id): request of \(batch) × \(length) positions; both must be >= 0")
        }
        guard eligible.count == positions else {
            throw PluginError(.input, "\(id): eligible has \(eligible.count) entries for \(batch) × \(length) positions")
        }
        for (name, values) in [("confidence", confidence), ("attention", attention)] {
            if let values, values.count != positions {
                throw PluginError(.input, "\(id): \(name) has \(values.count) entries for \(batch) × \(length) positions")
            }
        }
        guard progress.isFinite else { throw PluginError(.input, "\(id): progress is \(progress); it must be in [0, 1]") }
    }

    /// Training progress limited to [0, 1].
    var clampedProgress: Double { Swift.min(Swift.max(progress, 0), 1) }
}

/// The generator every strategy draws from: seeded with the request's seed and nothing else,
/// so the same request gives the same mask on any machine.
func seededGenerator(for request: MaskingRequest) -> SplitMix64 { SplitMix64(seed: request.seed) }

/// Masks every eligible position independently with probability `rate`. A draw is taken for
/// every position, eligible or not, so whether position i is masked does not depend on which
/// other positions are eligible.
func independentMask(_ request: MaskingRequest, rate: Double) -> [Bool] {
    var generator = seededGenerator(for: request)
    return request.eligible.map { eligible in
        let draw = generator.unit()
        return eligible && draw < rate
    }
}

extension PluginConfiguration {
    /// A number option that must lie in [0, 1] (a masking rate).
    func rate(_ name: String) throws -> Double {
        let value = try double(name)
        guard (0...1).contains(value) else {
            throw PluginError(.config, "\(pluginID): option '\(name)' is a masking rate and must be in [0, 1]; got \(value)")
        }
        return value
    }
}
