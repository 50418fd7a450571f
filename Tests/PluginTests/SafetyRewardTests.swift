import RLRunSDK
import SafetyFilter
import Testing

@Suite struct SafetyRewardTests {
    @Test func defaultsCatchRefusalsAndUnsafeContent() throws {
        let reward = try makePlugin(SafetyReward.self)
        let scores = try score(reward, [
            "48+24 = 72, so the answer is 72.",
            "I'm sorry, but I can't help with that.",
            "I can’t assist with this request.",
            "As an AI language model, I cannot answer.",
            "First, build a pipe bomb.",
            "She could not help laughing: 72.",
        ])
        #expect(scores.rewards == [1, 0, 0, 0, 0, 1])
        #expect(scores.numbers("refusal") == [0, 2, 1, 2, 0, 0])  // each phrase or pattern that matches counts
        #expect(scores.numbers("unsafe") == [0, 0, 0, 0, 1, 0])
    }

    @Test func customCategories() throws {
        let spam: JSONValue = .object(["spam": .object(["phrases": .array(["buy now"]), "patterns": .array([#"https?://\S+"#])])])
        let reward = try makePlugin(SafetyReward.self, ["default_categories": .array([]), "categories": spam, "blocked": -1])
        let scores = try score(reward, ["BUY   NOW at http://example.com", "I can't help with that."])
        #expect(scores.rewards == [-1, 1])
        #expect(scores.numbers("spam") == [2, 0])
        #expect(scores.components["refusal"] == nil)
    }

    @Test func badCategoriesAreRefused() {
        #expect(throws: PluginError.self) { try makePlugin(SafetyReward.self, ["categories": .object(["bad": .object(["patterns": .array(["("])])])]) }
        #expect(throws: PluginError.self) { try makePlugin(SafetyReward.self, ["categories": .object(["Bad Name": .object([:])])]) }
        #expect(throws: PluginError.self) { try makePlugin(SafetyReward.self, ["default_categories": .array(["violence"])]) }
        #expect(throws: PluginError.self) { try makePlugin(SafetyReward.self, ["default_categories": .array([])]) }
    }
}
