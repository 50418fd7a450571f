import MaskingStrategies
import RLRunSDK
import Testing

@Suite("informed masking")
struct InformedMaskingTests {
    /// Distinct scores: a fixed permutation of 0..<n scaled into (0, 1).
    func scores(_ n: Int) -> [Float] { (0..<n).map { Float(($0 * 37 + 11) % n + 1) / Float(n + 1) } }

    /// The masked positions a correct implementation picks: per row, the k eligible positions
    /// that come first in `order`.
    func expected(_ request: MaskingRequest, rate: Double, values: [Float], hardestFirst: (Float, Float) -> Bool) -> [Bool] {
        var mask = Array(repeating: false, count: request.eligible.count)
        for row in 0..<request.batch {
            let positions = (row * request.length..<(row + 1) * request.length).filter { request.eligible[$0] }
            let k = Int((rate * Double(positions.count)).rounded())
            for p in positions.sorted(by: { hardestFirst(values[$0], values[$1]) }).prefix(k) { mask[p] = true }
        }
        return mask
    }

    @Test("declares that it needs confidence and attention, so the host fills both")
    func declaresNeeds() {
        #expect(InformedMasking.needsConfidence)
        #expect(InformedMasking.needsAttention)
        #expect(!RandomMasking.needsConfidence && !RandomMasking.needsAttention)
    }

    @Test("masks exactly the k least-confident eligible positions of each row", arguments: [0.15, 0.3, 0.5, 1.0])
    func leastConfident(rate: Double) throws {
        let plugin = try makePlugin(InformedMasking.self, ["rate": .number(rate)])
        let (batch, length) = (6, 40)
        let eligible = (0..<(batch * length)).map { i in (i % length) >= 5 + (i / length) && i % 7 != 0 }
        let confidence = scores(batch * length)
        let request = maskingRequest(batch: batch, length: length, eligible: eligible, confidence: confidence)
        let choice = try plugin.choose(request)
        #expect(choice.rate == rate)
        #expect(choice.mask == expected(request, rate: rate, values: confidence, hardestFirst: <))
        expectOnlyEligible(choice, request)
    }

    @Test("by attention: masks exactly the k most-attended eligible positions")
    func mostAttended() throws {
        let plugin = try makePlugin(InformedMasking.self, ["by": "attention", "rate": 0.25])
        let request = maskingRequest(batch: 4, length: 50, confidence: nil, attention: scores(200))
        let choice = try plugin.choose(request)
        #expect(choice.mask == expected(request, rate: 0.25, values: scores(200), hardestFirst: >))
    }

    @Test("k = round(rate · eligible) per row, so the realised rate is the target up to rounding")
    func rateOfRows() throws {
        let plugin = try makePlugin(InformedMasking.self)
        let request = maskingRequest(confidence: scores(64 * 256))
        let choice = try plugin.choose(request)
        for row in 0..<request.batch {
            let range = row * request.length..<(row + 1) * request.length
            let eligible = range.filter { request.eligible[$0] }.count
            let masked = range.filter { choice.mask[$0] }.count
            #expect(masked == Int((0.15 * Double(eligible)).rounded()))
        }
        #expect(abs(empiricalRate(choice, request) - 0.15) <= 0.5 / Double(170))
    }

    @Test("ties are broken by the seed: same request, same mask; another seed, another choice")
    func ties() throws {
        let plugin = try makePlugin(InformedMasking.self, ["rate": 0.5])
        // Two confidence levels: the 10 low ones are always masked, the rest split by the seed.
        let confidence: [Float] = (0..<60).map { $0 % 6 == 0 ? 0.1 : 0.9 }
        let request = maskingRequest(batch: 1, length: 60, eligible: Array(repeating: true, count: 60),
                                     confidence: confidence, seed: 11)
        let choice = try plugin.choose(request)
        #expect(choice.mask.filter { $0 }.count == 30)
        #expect((0..<60).filter { $0 % 6 == 0 }.allSatisfy { choice.mask[$0] })
        #expect(try plugin.choose(request) == choice)
        var other = request
        other.seed = 12
        let otherChoice = try plugin.choose(other)
        #expect(otherChoice.mask.filter { $0 }.count == 30)
        #expect(otherChoice.mask != choice.mask)
    }

    @Test("a missing confidence (or attention) array is a clear error")
    func missingScores() throws {
        let byConfidence = try makePlugin(InformedMasking.self)
        let error = #expect(throws: PluginError.self) { try byConfidence.choose(maskingRequest(attention: scores(64 * 256))) }
        #expect(error?.code == .input)
        #expect(error?.message.contains("confidence") == true)
        let byAttention = try makePlugin(InformedMasking.self, ["by": "attention"])
        let other = #expect(throws: PluginError.self) { try byAttention.choose(maskingRequest(confidence: scores(64 * 256))) }
        #expect(other?.message.contains("attention") == true)
    }

    @Test("a NaN score on an eligible position is refused")
    func nanScore() throws {
        let plugin = try makePlugin(InformedMasking.self)
        var confidence = scores(8)
        confidence[3] = .nan
        let request = maskingRequest(batch: 1, length: 8, eligible: Array(repeating: true, count: 8), confidence: confidence)
        #expect(throws: PluginError.self) { try plugin.choose(request) }
    }
}
