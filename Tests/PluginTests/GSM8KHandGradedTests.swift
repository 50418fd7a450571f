import Foundation
import GSM8KTask
import RLRunSDK
import Testing

/// Thirty completions written in varied styles (GSM8K's own, answer tags, \boxed, "the answer
/// is", answer lines, units, currency, percent, fractions, restated and wrong answers, refusals),
/// each graded by hand; the gsm8k reward must agree with every grade.
@Suite struct GSM8KHandGradedTests {
    struct Line: Decodable {
        let completion: String
        let reference: String
        let expected: Double
    }

    @Test func rewardAgreesWithHandGrading() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/gsm8k_hand_graded.jsonl")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(Line.self, from: Data($0.utf8))
        }
        #expect(lines.count == 30)
        let reward = try makePlugin(GSM8KReward.self)
        let scores = try reward.score(RewardBatch(prompts: lines.map { _ in "" }, completions: lines.map(\.completion),
                                                  references: lines.map(\.reference)))
        for (i, line) in lines.enumerated() {
            #expect(scores.rewards[i] == line.expected, "line \(i + 1): \(line.completion.prefix(60).debugDescription)")
        }
    }
}
