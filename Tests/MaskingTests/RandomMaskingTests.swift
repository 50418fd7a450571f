import MaskingStrategies
import RLRunSDK
import Testing

@Suite("random masking")
struct RandomMaskingTests {
    @Test("default rate is 0.15 and is what it reports")
    func defaults() throws {
        let plugin = try makePlugin(RandomMasking.self)
        #expect(plugin.rate == 0.15)
        let request = maskingRequest()
        let choice = try plugin.choose(request)
        #expect(choice.rate == 0.15)
        expectRateNear(choice, request, 0.15)
    }

    @Test("empirical rate over many positions is near the target", arguments: [0.05, 0.15, 0.3, 0.5, 0.9])
    func empiricalRate(rate: Double) throws {
        let plugin = try makePlugin(RandomMasking.self, ["rate": .number(rate)])
        for seed: UInt64 in [0, 1, 42, 4095, .max] {
            let request = maskingRequest(seed: seed)
            let choice = try plugin.choose(request)
            #expect(choice.rate == rate)
            expectRateNear(choice, request, rate)
        }
    }

    @Test("only eligible positions are masked")
    func onlyEligible() throws {
        let plugin = try makePlugin(RandomMasking.self, ["rate": 0.8])
        let eligible = (0..<(16 * 64)).map { ($0 * 7) % 5 < 2 }
        let request = maskingRequest(batch: 16, length: 64, eligible: eligible)
        expectOnlyEligible(try plugin.choose(request), request)
        let all = try makePlugin(RandomMasking.self, ["rate": 1.0]).choose(request)
        #expect(all.mask == eligible)
        let none = try makePlugin(RandomMasking.self, ["rate": 0.0]).choose(request)
        #expect(!none.mask.contains(true))
    }

    @Test("the mask depends on the seed only: same request, same mask")
    func deterministic() throws {
        let first = try makePlugin(RandomMasking.self)
        let second = try makePlugin(RandomMasking.self)
        let request = maskingRequest(seed: 1234)
        let mask = try first.choose(request).mask
        #expect(try first.choose(request).mask == mask)
        #expect(try second.choose(request).mask == mask)
        // Progress, reward and accuracy do not enter a fixed-rate mask.
        #expect(try first.choose(maskingRequest(progress: 0.9, reward: 2, accuracy: 1, seed: 1234)).mask == mask)
        #expect(try first.choose(maskingRequest(seed: 1235)).mask != mask)
    }

    @Test("a rate outside [0, 1] is refused")
    func badRate() {
        #expect(throws: PluginError.self) { try makePlugin(RandomMasking.self, ["rate": 1.5]) }
        #expect(throws: PluginError.self) { try makePlugin(RandomMasking.self, ["rate": -0.1]) }
    }

    @Test("a request whose arrays do not match its size is refused")
    func badRequest() throws {
        let plugin = try makePlugin(RandomMasking.self)
        var request = maskingRequest(batch: 2, length: 4)
        request.eligible.removeLast()
        #expect(throws: PluginError.self) { try plugin.choose(request) }
    }
}
