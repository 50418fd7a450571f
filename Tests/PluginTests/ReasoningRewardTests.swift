import MathAnswers
import RLRunSDK
import Testing
import TextRepetition
@testable import ReasoningHeuristics

@Suite struct ReasoningRewardTests {
    private func scores(_ completions: [String], tokens: [Int], _ options: [String: JSONValue] = [:]) throws -> RewardScores {
        try makePlugin(ReasoningReward.self, options).score(RewardBatch(
            prompts: completions.map { _ in "" }, completions: completions, references: completions.map { _ in nil },
            completionTokens: tokens))
    }

    @Test func wrongAnnotationLowersTheArithmeticScore() throws {
        let right = "2+3 = <<2+3=5>>5\n5*4 = <<5*4=20>>20\n#### 20"
        let wrong = "2+3 = <<2+3=5>>5\n5*4 = <<5*4=21>>21\n#### 21"
        let result = try scores([right, wrong], tokens: [50, 50])
        #expect(result.numbers("steps") == [3, 3])
        #expect(result.numbers("annotations_correct") == [2, 1])
        #expect(result.numbers("annotations_wrong") == [0, 1])
        #expect(result.numbers("repeated_ngrams") == [0, 0])
        // (steps 1 + arithmetic + length 1) / 3
        #expect(result.rewards[0] == 1)
        #expect(abs(result.rewards[1] - 2.5 / 3) < 1e-12)
    }

    /// A column-worked subtraction with one wrong column (8 - 2 = 3): written checking sees
    /// the two columns and the annotation, annotation checking the annotation alone.
    @Test func writtenCheckingSeesColumnSteps() throws {
        let completion = "48 - 22: 8 - 2 = 3; 4 - 2 = 2.\nQuinn has 48 - 22 = <<48-22=23>>23 stickers left.\n#### 23"
        let written = try scores([completion], tokens: [80], ["arithmetic_check": "written", "steps_weight": 0, "length_weight": 0])
        #expect(written.numbers("annotations_correct") == [1])
        #expect(written.numbers("annotations_wrong") == [2])
        #expect(abs(written.rewards[0] - 1.0 / 3) < 1e-12)
        let annotations = try scores([completion], tokens: [80], ["steps_weight": 0, "length_weight": 0])
        #expect(annotations.numbers("annotations_wrong") == [1])
        #expect(annotations.rewards[0] == 0)
    }

    @Test func writtenStepsAreNumbersAndOperatorsOnly() {
        let steps = WrittenArithmetic.steps(in: "142 + 5 = 147, carry 1; 13 - 7 - 1 = 5. x = 5; Ben has 4 + 2 = <<4+2=6>>6; 2.5 * 2 = 5.0")
        #expect(steps.map(\.expression) == ["142 + 5", "13 - 7 - 1", "4+2", "2.5 * 2"])
        #expect(steps.map(\.result) == ["147", "5", "6", "5.0"])
        #expect(steps.allSatisfy { $0.verdict == .correct })
        #expect(WrittenArithmetic.steps(in: "7 + 4 = 12").map(\.verdict) == [.wrong])
    }

    @Test func unannotatedArithmeticGetsTheNeutralScore() throws {
        let result = try scores(["2+3 is 5.\n5 times 4 is 20.\nThe answer is 20."], tokens: [30], ["unchecked_arithmetic": 0.25])
        #expect(result.numbers("steps") == [3])
        #expect(abs(result.rewards[0] - 2.25 / 3) < 1e-12)
    }

    @Test func stepsAreLinesOrSentencesWithNumbers() {
        #expect(ReasoningSteps.count(in: "First, 2+3=5. Then 5*4=20! Finally 20-1=19. Done.") == 3)
        #expect(ReasoningSteps.count(in: "Let's think.\n2+3=5\n\n5*4=20") == 2)
        #expect(ReasoningSteps.count(in: "No numbers here.") == 0)
    }

    @Test func lengthBand() throws {
        let band = LengthBand(minimum: 20, maximum: 400)
        #expect(band.score(length: 10) == 0.5)
        #expect(band.score(length: 20) == 1)
        #expect(band.score(length: 400) == 1)
        #expect(band.score(length: 800) == 0.5)
        // Without token counts the words are counted: 5 words of a band starting at 10.
        let result = try scores(["one two three four five"], tokens: [0], ["min_length": 10])
        #expect(result.numbers("length_score") == [0.5])
    }

    /// "the cat sat on the mat" five times: 30 words, 27 4-grams of which 6 are distinct.
    @Test func repetitionIsPenalised() throws {
        let looped = String(repeating: "the cat sat on the mat ", count: 5)
        #expect(abs(RepeatedNgrams.fraction(in: looped, n: 4)! - 21.0 / 27) < 1e-12)
        #expect(RepeatedNgrams.fraction(in: "too short", n: 4) == nil)
        let result = try scores([looped], tokens: [30], ["repetition_weight": 2])
        #expect(abs(result.numbers("repeated_ngrams")[0] - 21.0 / 27) < 1e-12)
        // steps 0, arithmetic 0.5 (nothing to check), length 1; less 2 × 21/27
        #expect(abs(result.rewards[0] - (1.5 / 3 - 2 * 21.0 / 27)) < 1e-12)
    }

    @Test func badOptionsAreRefused() {
        #expect(throws: PluginError.self) { try makePlugin(ReasoningReward.self, ["min_length": 500]) }
        #expect(throws: PluginError.self) { try makePlugin(ReasoningReward.self, ["steps_weight": 0, "arithmetic_weight": 0, "length_weight": 0]) }
        #expect(throws: PluginError.self) { try makePlugin(ReasoningReward.self, ["ngram": 0]) }
    }
}
