import NoveltyBonus
import RLRunSDK
import Testing

@Suite struct CuriosityRewardTests {
    static let familiar = (1...8).map { "Step \($0): \($0 * 7) apples and \($0 + 3) pears make \($0 * 8 + 3) fruits." }
    static let novel = ["Zebras gallop quickly over xylophones!", "<think>qwerty uiop</think><answer>???</answer>"]

    private static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    @Test func bonusFallsForRepeatedInputs() throws {
        let curiosity = try makePlugin(CuriosityReward.self, ["learning_rate": 1e-3])
        let first = try score(curiosity, Self.familiar)
        var last = first
        for _ in 0..<30 { last = try score(curiosity, Self.familiar) }
        #expect(Self.mean(last.numbers("novelty")) < 0.2 * Self.mean(first.numbers("novelty")))
        #expect(Self.mean(last.rewards) < 0.5 * Self.mean(first.rewards))
        #expect(first.rewards.allSatisfy { $0 >= 0 && $0 <= 5 })
        let fresh = try score(curiosity, Self.novel + Array(Self.familiar.prefix(2)))
        #expect(Self.mean(Array(fresh.rewards.prefix(2))) > 2 * Self.mean(Array(fresh.rewards.suffix(2))))
    }

    @Test func stateRoundTrips() throws {
        let options: [String: JSONValue] = ["learning_rate": 1e-3, "seed": 7, "features": 64, "hidden": 32, "outputs": 16]
        let trained = try makePlugin(CuriosityReward.self, options)
        for _ in 0..<3 { _ = try score(trained, Self.familiar) }
        let state = try trained.saveState()
        let restored = try makePlugin(CuriosityReward.self, options)
        try restored.loadState(state)
        #expect(try restored.saveState() == state)
        let batch = Self.novel + Self.familiar
        #expect(try score(restored, batch) == score(trained, batch))
        #expect(try restored.saveState() == trained.saveState())
    }

    @Test func foreignStateIsRefused() throws {
        let curiosity = try makePlugin(CuriosityReward.self, ["features": 64])
        let state = try curiosity.saveState()
        #expect(throws: PluginError.self) { try makePlugin(CuriosityReward.self, ["features": 32]).loadState(state) }
        #expect(throws: PluginError.self) { try curiosity.loadState(Array(state.dropLast(3))) }
        #expect(throws: PluginError.self) { try curiosity.loadState(Array("not a state".utf8)) }
        #expect(throws: PluginError.self) { try curiosity.loadState(state + [0]) }
    }

    @Test func weightDecaysToZero() throws {
        let curiosity = try makePlugin(CuriosityReward.self, ["decay_batches": 2, "weight": 2])
        let first = try score(curiosity, Self.familiar)
        let second = try score(curiosity, Self.familiar)
        let third = try score(curiosity, Self.familiar)
        #expect(first.rewards == first.numbers("bonus").map { 2 * $0 })
        #expect(second.rewards == second.numbers("bonus").map { 1 * $0 })
        #expect(third.rewards.allSatisfy { $0 == 0 })
    }

    @Test func bonusIsClipped() throws {
        let scores = try score(try makePlugin(CuriosityReward.self, ["clip": 0.5]), Self.familiar + Self.novel)
        #expect(scores.rewards.allSatisfy { $0 >= 0 && $0 <= 0.5 })
        #expect(scores.rewards.contains(0.5))
    }
}
