import RLRunSDK
import Testing
@testable import ArithmeticGenerator

/// The verbose teacher of `restate_share`: the share of solutions that copy the question out
/// first is what was asked, and the questions, answers and the rest of every solution are as
/// without it.
@Suite struct RestatementTests {
    private func solution(_ dataset: ArithmeticDataset, _ split: String, _ index: Int) throws -> String {
        try #require(try JSONValue(parsing: dataset.item(split: split, index: index).metadata!)["solution"]?.stringValue)
    }

    @Test func theShareAskedCopiesTheQuestionOutFirst() throws {
        let plain = try makePlugin(ArithmeticDataset.self, [:])
        let verbose = try makePlugin(ArithmeticDataset.self, ["restate_share": 0.6])
        var restated = 0
        for split in ["train", "test"] {
            for index in 0..<500 {
                let item = try plain.item(split: split, index: index), other = try verbose.item(split: split, index: index)
                #expect(other.prompt == item.prompt && other.reference == item.reference)
                let line = try solution(plain, split, index), either = try solution(verbose, split, index)
                #expect(!line.hasPrefix("We are asked:"))
                guard either != line else { continue }
                restated += 1
                let question = try plain.problem(test: split == "test", index: index).question
                #expect(either == "We are asked: \(question)\n" + line)
                #expect(either.count > 96, "a restated solution that fits the built-in 96 new tokens: \(either)")
            }
        }
        #expect(abs(Double(restated) / 1000 - 0.6) < 0.05, "\(restated) of 1000 restated")
        #expect(throws: (any Error).self) { try makePlugin(ArithmeticDataset.self, ["restate_share": -0.1]) }
    }
}
