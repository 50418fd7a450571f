import MathAnswers
import RLRunSDK
import Testing
@testable import ArithmeticGenerator

@Suite struct ArithmeticDatasetTests {
    private func items(_ dataset: ArithmeticDataset, _ split: String, _ count: Int) throws -> [DatasetItem] {
        try (0..<count).map { try dataset.item(split: split, index: $0) }
    }

    @Test func seededAndDeterministic() throws {
        let first = try items(try makePlugin(ArithmeticDataset.self, ["seed": 3]), "train", 50)
        let again = try items(try makePlugin(ArithmeticDataset.self, ["seed": 3]), "train", 50)
        let other = try items(try makePlugin(ArithmeticDataset.self, ["seed": 4]), "train", 50)
        #expect(first == again)
        #expect(first != other)
        #expect(Set(first.map(\.prompt)).count > 45)
    }

    /// Every solution re-evaluated: each calculator annotation computes what it claims, every
    /// intermediate result is a whole number that is not negative, there are as many as the
    /// difficulty has operations, and the last one is the reference and the `#### N`.
    @Test(arguments: ["easy", "medium", "hard"])
    func solutionsCheckOut(_ difficulty: String) throws {
        let dataset = try makePlugin(ArithmeticDataset.self, ["difficulty": .string(difficulty)])
        let operations = ["easy": 1, "medium": 2, "hard": 3][difficulty]!
        for split in dataset.splits {
            for item in try items(dataset, split, 400) {
                let metadata = try JSONValue(parsing: item.metadata!)
                let solution = try #require(metadata["solution"]?.stringValue)
                let annotations = CalculatorAnnotation.all(in: solution)
                #expect(annotations.count == operations, "\(solution)")
                #expect(annotations.allSatisfy { $0.verdict == .correct }, "\(solution)")
                let results = annotations.compactMap(\.resultValue)
                #expect(results.allSatisfy { $0 >= 0 && $0 == $0.rounded() }, "\(solution)")
                #expect(results.last.map { String(Int($0)) } == item.reference)
                #expect(AnswerExtractor.goldAnswer(fromSolution: solution)?.text == item.reference)
                #expect(metadata["difficulty"] == .string(difficulty))
                #expect(item.prompt.hasSuffix("output the final answer after \"####\"."))
            }
        }
    }

    @Test func mixedUsesEveryTemplate() throws {
        let dataset = try makePlugin(ArithmeticDataset.self)
        let used = Set(try items(dataset, "train", 600).compactMap { try JSONValue(parsing: $0.metadata!)["template"]?.stringValue })
        #expect(used == Set(ProblemTemplate.all.map(\.id)))
    }

    @Test func splitsNeverShareAProblem() throws {
        let dataset = try makePlugin(ArithmeticDataset.self, ["difficulty": "easy", "seed": 11])
        let train = try (0..<4000).map { try dataset.problem(test: false, index: $0) }
        let test = try (0..<500).map { try dataset.problem(test: true, index: $0) }
        #expect(Set(train.map(\.question)).isDisjoint(with: test.map(\.question)))
        #expect(test.allSatisfy(dataset.isTest) && !train.contains(where: dataset.isTest))
    }

    /// The test split follows the train distribution instead of repeating a few problems.
    @Test func theTestSplitIsVaried() throws {
        let dataset = try makePlugin(ArithmeticDataset.self, ["difficulty": "easy"])
        let test = try (0..<500).map { try dataset.problem(test: true, index: $0) }
        let packs = test.filter { $0.template == "packs" }
        #expect(packs.count > 50)
        #expect(Set(packs.map(\.key)).count > packs.count / 2, "\(Set(packs.map(\.key)).count) distinct products in \(packs.count) items")
    }

    @Test func sizesFormatAndBounds() throws {
        let dataset = try makePlugin(ArithmeticDataset.self, ["train_size": 10, "test_size": 3, "format": "reasoning"])
        #expect(try dataset.count(split: "train") == 10 && dataset.count(split: "test") == 3)
        #expect(try dataset.item(split: "test", index: 2).system?.hasPrefix("Respond in the following format:") == true)
        #expect(throws: PluginError.self) { try dataset.item(split: "test", index: 3) }
        #expect(throws: PluginError.self) { try dataset.count(split: "validation") }
        #expect(throws: PluginError.self) { try makePlugin(ArithmeticDataset.self, ["train_size": -1]) }
        let unlimited = try makePlugin(ArithmeticDataset.self)
        #expect(try unlimited.item(split: "train", index: 999_999).reference != nil)
    }
}
