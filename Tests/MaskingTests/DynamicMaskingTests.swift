import MaskingStrategies
import RLRunSDK
import Testing

@Suite("dynamic masking")
struct DynamicMaskingTests {
    /// Runs one training step (a new progress value) with the given recent accuracy.
    @discardableResult
    func step(_ plugin: DynamicMasking, _ index: Int, accuracy: Double?, reward: Double? = nil) throws -> MaskingChoice {
        try plugin.choose(maskingRequest(batch: 4, length: 64, progress: Double(index) / 1000, reward: reward,
                                         accuracy: accuracy, seed: UInt64(index)))
    }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-12 }

    @Test("defaults: starts at 0.15 within [0.05, 0.5], steps of 0.01 around accuracy 0.5")
    func defaults() throws {
        let plugin = try makePlugin(DynamicMasking.self)
        #expect(plugin.rate == 0.15 && plugin.minRate == 0.05 && plugin.maxRate == 0.5)
        #expect(plugin.step == 0.01 && plugin.target == 0.5 && plugin.signal == .accuracy)
    }

    @Test("moves up above the target, down below, stays at it and when the signal is unknown")
    func moves() throws {
        let plugin = try makePlugin(DynamicMasking.self, ["step": 0.02])
        #expect(close(try step(plugin, 1, accuracy: 0.8).rate, 0.17))
        #expect(close(try step(plugin, 2, accuracy: 0.9).rate, 0.19))
        #expect(close(try step(plugin, 3, accuracy: 0.1).rate, 0.17))
        #expect(close(try step(plugin, 4, accuracy: nil).rate, 0.17))
        #expect(close(try step(plugin, 5, accuracy: 0.5).rate, 0.17))
        #expect(close(try step(plugin, 6, accuracy: .nan).rate, 0.17))
    }

    @Test("the rate moves once per training step: repeated requests of a step give the same rate and mask")
    func oncePerStep() throws {
        let plugin = try makePlugin(DynamicMasking.self)
        let request = maskingRequest(batch: 4, length: 64, progress: 0.1, accuracy: 1, seed: 3)
        let first = try plugin.choose(request)
        #expect(close(first.rate, 0.16))
        for _ in 0..<5 { #expect(try plugin.choose(request) == first) }
        var next = request
        next.progress = 0.2
        #expect(close(try plugin.choose(next).rate, 0.17))
    }

    @Test("stays within [min_rate, max_rate]")
    func bounds() throws {
        let plugin = try makePlugin(DynamicMasking.self, ["min_rate": 0.1, "max_rate": 0.2, "step": 0.03])
        for i in 1...10 { try step(plugin, i, accuracy: 1) }
        #expect(plugin.rate == 0.2)
        for i in 11...20 { try step(plugin, i, accuracy: 0) }
        #expect(plugin.rate == 0.1)
    }

    @Test("signal reward follows the recent reward and ignores accuracy; tolerance is a dead band")
    func rewardSignal() throws {
        let plugin = try makePlugin(DynamicMasking.self, ["signal": "reward", "target": 1.0, "tolerance": 0.25])
        #expect(close(try step(plugin, 1, accuracy: 0, reward: 2).rate, 0.16))
        #expect(close(try step(plugin, 2, accuracy: 1, reward: 0.2).rate, 0.15))
        #expect(close(try step(plugin, 3, accuracy: 1, reward: 1.2).rate, 0.15))
        #expect(close(try step(plugin, 4, accuracy: 1, reward: nil).rate, 0.15))
    }

    @Test("masks at its current rate, only eligible positions, and reports that rate")
    func mask() throws {
        let plugin = try makePlugin(DynamicMasking.self, ["initial_rate": 0.3])
        let request = maskingRequest(progress: 0.5, accuracy: 0.2)
        let choice = try plugin.choose(request)
        #expect(close(choice.rate, 0.29) && choice.rate == plugin.rate)
        expectRateNear(choice, request, choice.rate)
        expectOnlyEligible(choice, request)
    }

    @Test("state round trip: a restored instance continues exactly")
    func stateRoundTrip() throws {
        let original = try makePlugin(DynamicMasking.self, ["step": 0.05])
        for (i, accuracy) in [0.9, 0.9, 0.2, 0.9].enumerated() { try step(original, i, accuracy: accuracy) }
        #expect(close(original.rate, 0.25))
        let saved = try original.saveState()

        let restored = try makePlugin(DynamicMasking.self, ["step": 0.05])
        try restored.loadState(saved)
        #expect(restored.rate == original.rate)
        #expect(restored.lastProgress == original.lastProgress)
        // Same step again: no second move; next step: the same move on both.
        #expect(try step(restored, 3, accuracy: 0.9) == (try step(original, 3, accuracy: 0.9)))
        #expect(try step(restored, 4, accuracy: 0.9) == (try step(original, 4, accuracy: 0.9)))
        #expect(close(restored.rate, 0.30))

        // A fresh instance's state (no step yet) round-trips too.
        let fresh = try makePlugin(DynamicMasking.self)
        let other = try makePlugin(DynamicMasking.self, ["initial_rate": 0.4])
        try other.loadState(try fresh.saveState())
        #expect(other.rate == 0.15 && other.lastProgress == nil)
    }

    @Test("a restored rate obeys the current bounds; foreign state is refused")
    func badState() throws {
        let wide = try makePlugin(DynamicMasking.self, ["initial_rate": 0.45])
        let narrow = try makePlugin(DynamicMasking.self, ["max_rate": 0.3])
        try narrow.loadState(try wide.saveState())
        #expect(narrow.rate == 0.3)
        #expect(throws: PluginError.self) { try narrow.loadState(Array("calls=3".utf8)) }
        #expect(throws: PluginError.self) { try narrow.loadState(Array("{\"rate\": \"high\"}".utf8)) }
    }

    @Test("inconsistent options are refused")
    func badOptions() {
        #expect(throws: PluginError.self) { try makePlugin(DynamicMasking.self, ["min_rate": 0.4, "max_rate": 0.2, "initial_rate": 0.3]) }
        #expect(throws: PluginError.self) { try makePlugin(DynamicMasking.self, ["initial_rate": 0.6]) }
        #expect(throws: PluginError.self) { try makePlugin(DynamicMasking.self, ["step": 0]) }
        #expect(throws: PluginError.self) { try makePlugin(DynamicMasking.self, ["signal": "loss"]) }
    }
}
