import Foundation
import MaskingStrategies
import RLRunSDK
import Testing

/// A plugin constructed the way the exporter does: options checked against its declaration.
func makePlugin<T: PluginDefinition>(_ type: T.Type, _ options: [String: JSONValue] = [:]) throws -> T {
    let configuration = try PluginConfiguration(pluginID: T.info.id, options: T.info.options, given: options)
    return try T(configuration: configuration, host: PluginHost())
}

/// A request over `batch` rows of `length` tokens; by default every third position is not
/// eligible (as prompt padding or the completion would be).
func maskingRequest(batch: Int = 64, length: Int = 256, eligible: [Bool]? = nil, confidence: [Float]? = nil,
                    attention: [Float]? = nil, progress: Double = 0, reward: Double? = nil, accuracy: Double? = nil,
                    seed: UInt64 = 7) -> MaskingRequest {
    let n = batch * length
    return MaskingRequest(batch: batch, length: length, tokens: (0..<n).map { Int64($0 % 1000) },
                          eligible: eligible ?? (0..<n).map { $0 % 3 != 0 }, confidence: confidence,
                          attention: attention, progress: progress, recentReward: reward, recentAccuracy: accuracy,
                          seed: seed)
}

/// Masked share of the eligible positions.
func empiricalRate(_ choice: MaskingChoice, _ request: MaskingRequest) -> Double {
    let eligible = request.eligible.filter { $0 }.count
    let masked = zip(choice.mask, request.eligible).filter { $0 && $1 }.count
    return Double(masked) / Double(eligible)
}

/// Expects the masked share of eligible positions within 5 binomial standard deviations of
/// `rate` (a deterministic check: the masks are seeded; 5σ leaves room for any seed).
func expectRateNear(_ choice: MaskingChoice, _ request: MaskingRequest, _ rate: Double,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    let eligible = Double(request.eligible.filter { $0 }.count)
    let bound = 5 * (rate * (1 - rate) / eligible).squareRoot()
    let observed = empiricalRate(choice, request)
    #expect(abs(observed - rate) <= bound, "masked \(observed) of eligible positions, aimed at \(rate) ± \(bound)",
            sourceLocation: sourceLocation)
}

/// Expects no ineligible position to be masked.
func expectOnlyEligible(_ choice: MaskingChoice, _ request: MaskingRequest,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(choice.mask.count == request.eligible.count, sourceLocation: sourceLocation)
    let stray = zip(choice.mask, request.eligible).enumerated().filter { $0.element.0 && !$0.element.1 }.map(\.offset)
    #expect(stray.isEmpty, "masked ineligible positions \(stray.prefix(10))", sourceLocation: sourceLocation)
}
