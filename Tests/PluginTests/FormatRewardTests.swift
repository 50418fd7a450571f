import FormatCheck
import ReasoningFormats
import RLRunSDK
import Testing

@Suite struct FormatRewardTests {
    static let thinkStrict = "<think>\n48/2 = 24\n48 + 24 = 72\n</think>\n<answer>\n72\n</answer>"
    static let reasoningStrict = "<reasoning>\n48/2 = 24\n48 + 24 = 72\n</reasoning>\n<answer>\n72\n</answer>\n"

    /// (completion, strict, soft) for each format.
    static let thinkCases: [(String, Bool, Bool)] = [
        (thinkStrict, true, true),
        (thinkStrict + "\ntrailing line", true, true),               // open-r1's $ is multi-line
        ("<think>48+24=72</think><answer>72</answer>", false, true),  // no line breaks
        ("<think>\n48+24=72\n</think>\n\n<answer>\n72\n</answer>", false, true),
        ("Sure!\n" + thinkStrict, false, false),                      // both match from the start
        ("<think>\n48+24=72\n</think>\n72", false, false),            // no answer tags
        ("<answer>\n72\n</answer>\n<think>\nx\n</think>", false, false),
        (reasoningStrict, false, false),
    ]

    static let reasoningCases: [(String, Bool, Bool)] = [
        (reasoningStrict, true, true),
        (String(reasoningStrict.dropLast()), false, true),            // d1 wants the final newline
        (reasoningStrict + "\n", true, true),                         // $ also before a last newline
        (reasoningStrict + "more\n", false, true),
        ("<reasoning>\none\n\ntwo\n</reasoning>\n<answer>\n72\n</answer>\n", true, true),  // DOTALL
        ("<reasoning>x</reasoning> <answer>72</answer>", false, true),
        ("<reasoning>\nx\n</reasoning>\n72", false, false),
        (thinkStrict, false, false),
    ]

    @Test func patternsOfEachFormat() {
        for (completion, strict, soft) in Self.thinkCases {
            #expect(ReasoningFormat.think.matchesStrictly(completion) == strict, "\(completion.debugDescription)")
            #expect(ReasoningFormat.think.matchesSoftly(completion) == soft, "\(completion.debugDescription)")
        }
        for (completion, strict, soft) in Self.reasoningCases {
            #expect(ReasoningFormat.reasoning.matchesStrictly(completion) == strict, "\(completion.debugDescription)")
            #expect(ReasoningFormat.reasoning.matchesSoftly(completion) == soft, "\(completion.debugDescription)")
        }
    }

    @Test func strictAndSoftRewards() throws {
        let completions = [Self.thinkStrict, Self.reasoningStrict, "<think>x</think><answer>72</answer>", "72"]
        let strict = try score(try makePlugin(FormatReward.self), completions)
        #expect(strict.rewards == [1, 1, 0, 0])
        #expect(strict.labels("format") == ["think", "reasoning", "think", "none"])
        #expect(strict.numbers("soft") == [1, 1, 1, 0])
        #expect(strict.components["xml_count"] == nil)
        let soft = try score(try makePlugin(FormatReward.self, ["mode": "soft", "reward": 0.5]), completions)
        #expect(soft.rewards == [0.5, 0.5, 0.5, 0])
        let onlyThink = try score(try makePlugin(FormatReward.self, ["format": "think"]), completions)
        #expect(onlyThink.rewards == [1, 0, 0, 0])
    }

    /// d1's count_xml: 0.125 per tag line found once, less 0.001 per character after the end.
    @Test func xmlCountPartialCredit() throws {
        let reasoning = ReasoningFormat.reasoning
        #expect(reasoning.xmlCount(Self.reasoningStrict) == 0.5)
        #expect(abs(reasoning.xmlCount(Self.reasoningStrict + "abc") - (0.5 - 0.003 - 0.003)) < 1e-12)
        #expect(reasoning.xmlCount("<reasoning>\nx") == 0.125)
        #expect(reasoning.xmlCount("plain text") == 0)
        let reward = try makePlugin(FormatReward.self, ["xml_count": true])
        let scores = try score(reward, [Self.thinkStrict + "\n", "<think>\nhalf way"])
        #expect(scores.numbers("xml_count") == [0.5, 0.125])
        #expect(scores.rewards == [1.5, 0.125])
    }
}
