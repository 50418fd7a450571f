import GSM8KTask
import MathAnswers
import RLRunSDK
import Testing

/// One tricky completion: what the extractor should find and whether the reward counts it.
struct ExtractionCase: CustomTestStringConvertible, Sendable {
    let completion: String
    let reference: String
    let mode: AnswerExtractor.Mode
    /// The value found, nil when none.
    let found: Double?
    let source: AnswerExtractor.Source?
    let correct: Bool

    init(_ completion: String, _ reference: String = "72", _ mode: AnswerExtractor.Mode = .flexible,
         found: Double?, by source: AnswerExtractor.Source?, correct: Bool) {
        self.completion = completion
        self.reference = reference
        self.mode = mode
        self.found = found
        self.source = source
        self.correct = correct
    }

    var testDescription: String { completion.prefix(60).debugDescription }
}

let extractionCases: [ExtractionCase] = [
    // GSM8K's own format
    ExtractionCase("48/2 = <<48/2=24>>24 clips in May.\n48+24 = <<48+24=72>>72 clips.\n#### 72", found: 72, by: .hashes, correct: true),
    ExtractionCase("####72", found: 72, by: .hashes, correct: true),
    ExtractionCase("#### 72.", found: 72, by: .hashes, correct: true),
    ExtractionCase("#### $72", found: 72, by: .hashes, correct: true),
    ExtractionCase("#### 72 clips", found: 72, by: .hashes, correct: true),
    ExtractionCase("#### 70\nOops, recount.\n#### 72", found: 72, by: .hashes, correct: true),
    ExtractionCase("#### 1,000,000", "1000000", found: 1_000_000, by: .hashes, correct: true),
    ExtractionCase("#### 109,200,000", "109200000", found: 109_200_000, by: .hashes, correct: true),
    ExtractionCase("#### -12", "-12", found: -12, by: .hashes, correct: true),
    ExtractionCase("In 2023 she sold 72 clips.\n#### 72", found: 72, by: .hashes, correct: true),
    // "The answer is"
    ExtractionCase("The answer is 72.", found: 72, by: .answerIs, correct: true),
    ExtractionCase("The final answer is $72.", found: 72, by: .answerIs, correct: true),
    ExtractionCase("So the answer is: 72", found: 72, by: .answerIs, correct: true),
    ExtractionCase("THE ANSWER IS 72", found: 72, by: .answerIs, correct: true),
    ExtractionCase("The answer is 70.\nWait: 48+24=72.\nThe answer is 72.", found: 72, by: .answerIs, correct: true),
    ExtractionCase("The answer is 72 clips, not 70.", found: 72, by: .answerIs, correct: true),
    ExtractionCase("So, the answer is seventy-two (72).", found: 72, by: .answerIs, correct: true),
    ExtractionCase("The answer is $1,080.00", "1080", found: 1080, by: .answerIs, correct: true),
    ExtractionCase("The answer is 72.0", found: 72, by: .answerIs, correct: true),
    ExtractionCase("The answer is 72.5", found: 72.5, by: .answerIs, correct: false),
    ExtractionCase("The answer is −12", "-12", found: -12, by: .answerIs, correct: true),
    ExtractionCase("The answer is 50%.", "50", found: 50, by: .answerIs, correct: true),
    ExtractionCase("The answer is 3/4", "0.75", found: 0.75, by: .answerIs, correct: true),
    ExtractionCase("The answer is +72", found: 72, by: .answerIs, correct: true),
    ExtractionCase("The answer is €72", found: 72, by: .answerIs, correct: true),
    ExtractionCase("The answer is 18.00", "18", found: 18, by: .answerIs, correct: true),
    ExtractionCase("The answer is 1,234.5", "1234.5", found: 1234.5, by: .answerIs, correct: true),
    ExtractionCase("The answer is 0", "-0", found: 0, by: .answerIs, correct: true),
    ExtractionCase("The answer is 1000000", "1,000,000", found: 1_000_000, by: .answerIs, correct: true),
    // \boxed
    ExtractionCase("\\boxed{72}", found: 72, by: .boxed, correct: true),
    ExtractionCase("So she sold \\boxed{\\$72} in all.", found: 72, by: .boxed, correct: true),
    ExtractionCase("\\boxed{\\text{72 clips}}", found: 72, by: .boxed, correct: true),
    ExtractionCase("\\boxed{\\frac{3}{4}}", "0.75", found: 0.75, by: .boxed, correct: true),
    ExtractionCase("\\boxed{\\frac{144}{2}}", found: 72, by: .boxed, correct: true),
    ExtractionCase("\\boxed{1,080}", "1080", found: 1080, by: .boxed, correct: true),
    ExtractionCase("#### 70\nNo wait: \\boxed{72}", found: 72, by: .boxed, correct: true),
    // <answer> tags
    ExtractionCase("<answer>72</answer>", found: 72, by: .answerTag, correct: true),
    ExtractionCase("<answer>\n72\n</answer>", found: 72, by: .answerTag, correct: true),
    ExtractionCase("<think>48/2=24, 48+24=72</think><answer>$72</answer>", found: 72, by: .answerTag, correct: true),
    ExtractionCase("<think>maybe 70? no, 72</think>\n<answer>72</answer>", found: 72, by: .answerTag, correct: true),
    ExtractionCase("<reasoning>48+24=72</reasoning>\n<answer>\n72", found: 72, by: .answerTag, correct: true),
    ExtractionCase("<answer>The total is 72 clips.</answer>", found: 72, by: .answerTag, correct: true),
    ExtractionCase("<answer>\\boxed{72}</answer>", found: 72, by: .answerTag, correct: true),
    ExtractionCase("The answer is 70.\n<answer>72</answer>", found: 72, by: .answerTag, correct: true),
    ExtractionCase("<answer>$18 per day</answer>", "18", found: 18, by: .answerTag, correct: true),
    ExtractionCase("<answer>70</answer>", found: 70, by: .answerTag, correct: false),
    // "Answer:" lines
    ExtractionCase("48+24=72\nAnswer: 72", found: 72, by: .answerLine, correct: true),
    ExtractionCase("A: 72", found: 72, by: .answerLine, correct: true),
    ExtractionCase("Final answer: 72 clips", found: 72, by: .answerLine, correct: true),
    // no marker: the last number in flexible mode, nothing in strict mode
    ExtractionCase("She sold 48 + 24 = 72 clips altogether.", found: 72, by: .lastNumber, correct: true),
    ExtractionCase("She sold 72 clips in 2 months.", found: 2, by: .lastNumber, correct: false),
    ExtractionCase("She sold 72 clips altogether.", .strict, found: nil, by: nil, correct: false),
    ExtractionCase("I don't know.", found: nil, by: nil, correct: false),
    ExtractionCase("", found: nil, by: nil, correct: false),
]

extension ExtractionCase {
    init(_ completion: String, _ mode: AnswerExtractor.Mode, found: Double?, by source: AnswerExtractor.Source?, correct: Bool) {
        self.init(completion, "72", mode, found: found, by: source, correct: correct)
    }
}

@Suite struct GSM8KExtractionTests {
    @Test func tableHasEnoughCases() { #expect(extractionCases.count >= 40) }

    @Test(arguments: extractionCases)
    func extractorFindsTheFinalAnswer(_ example: ExtractionCase) {
        let found = AnswerExtractor(mode: example.mode).extract(from: example.completion)
        #expect(found?.answer.value == example.found)
        #expect(found?.source == example.source)
    }

    @Test(arguments: extractionCases)
    func rewardGradesTheFinalAnswer(_ example: ExtractionCase) throws {
        let reward = try makePlugin(GSM8KReward.self, ["mode": .string(example.mode.rawValue), "no_answer": -0.5])
        let scores = try score(reward, [example.completion], reference: example.reference)
        let expected = example.correct ? 1.0 : example.found == nil ? -0.5 : 0
        #expect(scores.rewards == [expected])
        #expect(scores.numbers("accuracy") == [example.correct ? 1 : 0])
        #expect(scores.labels("found_by") == [example.source?.rawValue ?? "none"])
    }

    @Test func referenceMayBeAWholeSolution() throws {
        let reward = try makePlugin(GSM8KReward.self)
        let scores = try score(reward, ["The answer is 72."], reference: "48+24=<<48+24=72>>72\n#### 72")
        #expect(scores.rewards == [1])
    }

    @Test func tailCharactersLooksOnlyAtTheEnd() throws {
        let reward = try makePlugin(GSM8KReward.self, ["tail_characters": 20, "mode": "strict"])
        let completion = "The answer is 72." + String(repeating: " and so on", count: 5)
        #expect(try score(reward, [completion], reference: "72").labels("found_by") == ["none"])
    }
}
