import Foundation
import RLRunSDK
import Testing
@testable import TextOverlap

@Suite struct QualityRewardTests {
    /// Candidate "the cat sat on the mat", reference "the cat is on the mat": clipped matches
    /// 5 of 6 unigrams; 3 of 5 bigrams, 1 of 4 trigrams, 0 of 3 four-grams, smoothed to 4/6,
    /// 2/5, 1/4; BP 1. BLEU = (5/6 · 4/6 · 2/5 · 1/4)^(1/4) = (1/18)^(1/4).
    /// LCS "the cat on the mat" = 5: P = R = 5/6, F1 = 5/6.
    @Test func handComputedPair() {
        let candidate = TextTokens.split("the cat sat on the mat", lowercase: true)
        let reference = TextTokens.split("the cat is on the mat", lowercase: true)
        #expect(abs(SentenceBLEU(maxOrder: 4).score(candidate: candidate, reference: reference) - pow(1.0 / 18, 0.25)) < 1e-12)
        #expect(abs(RougeL.f1(candidate: candidate, reference: reference) - 5.0 / 6) < 1e-12)
    }

    /// "the cat" against the six-token reference: every precision 1 (2-grams 1/1, 3- and
    /// 4-grams smoothed 1/1), BP = exp(1 − 6/2). LCS 2: P = 1, R = 1/3, F1 = 0.5.
    @Test func shortCandidateIsPenalisedForBrevity() {
        let candidate = ["the", "cat"]
        let reference = TextTokens.split("the cat is on the mat", lowercase: true)
        #expect(abs(SentenceBLEU(maxOrder: 4).score(candidate: candidate, reference: reference) - exp(-2)) < 1e-12)
        #expect(RougeL.f1(candidate: candidate, reference: reference) == 0.5)
    }

    @Test func tokensSplitPunctuation() {
        #expect(TextTokens.split("It costs $18.", lowercase: true) == ["it", "costs", "$", "18", "."])
        #expect(TextTokens.split("Total: 1,200", lowercase: false) == ["Total", ":", "1", ",", "200"])
    }

    @Test func rewardMixesBothByWeight() throws {
        let reward = try makePlugin(QualityReward.self)
        let scores = try score(reward, ["the cat sat on the mat", "The Cat is on the MAT", "dogs bark"], reference: "the cat is on the mat")
        #expect(abs(scores.rewards[0] - (pow(1.0 / 18, 0.25) + 5.0 / 6) / 2) < 1e-12)
        #expect(scores.rewards[1] == 1)
        #expect(scores.rewards[2] == 0)
        let caseSensitive = try makePlugin(QualityReward.self, ["lowercase": false, "bleu_weight": 0])
        #expect(try score(caseSensitive, ["The Cat"], reference: "the cat").numbers("rouge_l") == [0])
        let rougeOnly = try score(try makePlugin(QualityReward.self, ["bleu_weight": 0]), ["the cat sat on the mat"], reference: "the cat is on the mat")
        #expect(abs(rougeOnly.rewards[0] - 5.0 / 6) < 1e-12 && rougeOnly.numbers("bleu") == [0])
    }

    @Test func comparesWithAMetadataField() throws {
        let reward = try makePlugin(QualityReward.self, ["reference_field": "solution"])
        let metadata = jsonLine(["solution": "the cat is on the mat"])
        #expect(try score(reward, ["the cat is on the mat"], reference: "72", metadata: metadata).rewards == [1])
        #expect(throws: PluginError.self) { try score(reward, ["x"], reference: "72", metadata: nil) }
        #expect(throws: PluginError.self) { try score(try makePlugin(QualityReward.self), ["x"]) }
        #expect(throws: PluginError.self) { try makePlugin(QualityReward.self, ["bleu_weight": 0, "rouge_weight": 0]) }
    }
}
