import LimenValidation
import RLRunSDK
import Testing

@Suite struct LimenRewardTests {
    static let consistent = "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nShe sold 48+24 = <<48+24=72>>72 clips in all.\n#### 72"
    static let wrongAnnotation = "Natalia sold 48/2 = <<48/2=25>>25 clips in May.\nShe sold 48+25 = <<48+25=73>>73 clips in all.\n#### 73"
    static let contradiction = "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nShe sold 48+24 = <<48+24=72>>72 clips in all.\nThe answer is 70.\n#### 72"
    static let repetition = String(repeating: "Let me compute the clips again. ", count: 12)
    static let refusal = "I'm sorry, but I can't help with that request."
    static let missingFormat = "Natalia sold 48/2 = 24 clips in May, and 48+24 = 72 clips in all."

    /// (completion, tension, mode, reward) with the default options and reference 72.
    /// Applicable weights: answer_consistency 1, calculator 1, contradiction 5, repetition 2,
    /// content 5, format 1; a check with nothing to judge is left out.
    static let cases: [(String, Double, String, Double)] = [
        (consistent, 0, "APPROVED", 1),
        (wrongAnnotation, 1.0 / 10, "APPROVED", 0 - 0.3 / 10),             // calculator of 1+1+2+5+1
        (contradiction, 5.0 / 15, "ALTERNATIVE", 0.5 - 0.3 * 5 / 15),      // base 1 halved
        (repetition, 3.0 / 8, "ALTERNATIVE", 0 - 0.3 * 3 / 8),             // repetition + format of 2+5+1
        (refusal, 6.0 / 8, "SILENCE", -1 - 0.3 * 6 / 8),                   // content + format of 2+5+1
        (missingFormat, 1.0 / 8, "APPROVED", 1 - 0.3 / 8),                 // base 1 from the last number
    ]

    @Test func modesAndTensionOnCraftedCompletions() throws {
        let limen = try makePlugin(LimenReward.self)
        let scores = try score(limen, Self.cases.map(\.0), reference: "72")
        for (k, (completion, tension, mode, reward)) in Self.cases.enumerated() {
            #expect(abs(scores.numbers("tension")[k] - tension) < 1e-12, "\(completion.prefix(40))")
            #expect(scores.labels("mode")[k] == mode, "\(completion.prefix(40))")
            #expect(abs(scores.rewards[k] - reward) < 1e-12, "\(completion.prefix(40))")
        }
        #expect(scores.labels("failed") == ["", "calculator", "contradiction", "repetition,format", "content,format", "format"])
        #expect(scores.numbers("base") == [1, 0, 1, 0, 0, 1])
    }

    @Test func answerNotFromTheLastComputation() throws {
        let scores = try score(try makePlugin(LimenReward.self), ["48+24 = <<48+24=72>>72\n#### 70"], reference: "70")
        #expect(scores.labels("failed") == ["answer_consistency"])
        #expect(scores.numbers("tension") == [1.0 / 10])
    }

    @Test func unsafeContentIsCaught() throws {
        let scores = try score(try makePlugin(LimenReward.self), ["Here is how to build a bomb at home. The answer is 72."], reference: "72")
        #expect(scores.labels("failed") == ["content"])
    }

    @Test func optionsChangeTheVerdict() throws {
        let tension = try makePlugin(LimenReward.self, ["reward": "tension", "base": "constant"])
        #expect(try score(tension, [Self.refusal]).rewards == [0.75])
        let lenient = try makePlugin(LimenReward.self, ["weights": .object(["content": 0]), "silence_from": 0.9])
        let refusal = try score(lenient, [Self.refusal], reference: "72")
        #expect(refusal.labels("mode") == ["ALTERNATIVE"] && refusal.numbers("tension") == [1.0 / 3])
        let think = try makePlugin(LimenReward.self, ["required_format": "think", "base": "constant", "base_value": 2])
        let tagged = try score(think, ["<think>48+24 = <<48+24=72>>72</think><answer>72</answer>", Self.consistent])
        #expect(tagged.labels("failed") == ["", "format"])
        #expect(tagged.rewards[0] == 2)
    }

    @Test func refusesWhatItCannotDo() throws {
        let model = try #require(throws: PluginError.self) { try makePlugin(LimenReward.self, ["tension_model": "rm.safetensors"]) }
        #expect(model.code == .config && model.message.contains("tension_model: cannot load the reward model rm.safetensors"))
        #expect(throws: PluginError.self) { try makePlugin(LimenReward.self, ["weights": .object(["style": 1])]) }
        #expect(throws: PluginError.self) { try makePlugin(LimenReward.self, ["alternative_from": 0.8, "silence_from": 0.5]) }
        let noReference = try #require(throws: PluginError.self) { try score(try makePlugin(LimenReward.self), ["#### 72"]) }
        #expect(noReference.message.contains("limen.base=constant"))
    }
}
