import MathAnswers
import RLRunSDK
import Testing
@testable import ArithmeticGenerator

@Suite struct ColumnWorkingTests {
    @Test func handWorkedExamples() {
        #expect(ColumnWorking.text(37, .add, 24) == "37 + 24: 7 + 4 = 11, carry 1; 3 + 2 + 1 = 6.")
        #expect(ColumnWorking.text(42, .add, 50) == "42 + 50: 2 + 0 = 2; 4 + 5 = 9.")
        #expect(ColumnWorking.text(55, .add, 45) == "55 + 45: 5 + 5 = 10, carry 1; 5 + 4 + 1 = 10.")
        #expect(ColumnWorking.text(49, .add, 8) == "49 + 8: 9 + 8 = 17, carry 1; 4 + 0 + 1 = 5.")
        #expect(ColumnWorking.text(43, .subtract, 37) == "43 - 37: 13 - 7 = 6, borrow 1; 4 - 3 - 1 = 0.")
        #expect(ColumnWorking.text(49, .subtract, 8) == "49 - 8: 9 - 8 = 1; 4 - 0 = 4.")
        #expect(ColumnWorking.text(100, .subtract, 1) == "100 - 1: 10 - 1 = 9, borrow 1; 10 - 0 - 1 = 9, borrow 1; 1 - 0 - 1 = 0.")
        #expect(ColumnWorking.text(4, .multiply, 33) == "4 * 33: 4 * 3 = 12, carry 1; 4 * 3 + 1 = 13.")
        #expect(ColumnWorking.text(27, .multiply, 10) == "27 * 10: 10 * 7 = 70, carry 7; 10 * 2 + 7 = 27.")
    }

    @Test func factsAndDivisionsHaveNoColumns() {
        #expect(ColumnWorking.text(7, .add, 2) == nil)
        #expect(ColumnWorking.text(9, .subtract, 4) == nil)
        #expect(ColumnWorking.text(7, .multiply, 8) == nil)
        #expect(ColumnWorking.text(10, .multiply, 8) == nil)
        #expect(ColumnWorking.text(12, .multiply, 15) == nil)
        #expect(ColumnWorking.text(56, .divide, 8) == nil)
    }

    /// Every column is right, and reading the answer off the columns (the last one whole, then
    /// the earlier units digits, last to first) gives the result, for every pair in range.
    @Test(arguments: [Operation.add, .subtract, .multiply])
    func theColumnsAddUpToTheResult(_ operation: Operation) throws {
        for a in 0...210 {
            for b in 0...(operation == .multiply ? 12 : 210) where operation != .subtract || b <= a {
                guard let text = ColumnWorking.text(a, operation, b) else { continue }
                let columns = try #require(text.split(separator: ":").last).dropLast().split(separator: ";")
                var results: [Int] = []
                for column in columns {
                    let sum = try #require(column.split(separator: ",").first)
                    let sides = sum.split(separator: "=")
                    let value = try #require(Int(sides[1].trimmingCharacters(in: .whitespaces)))
                    #expect(ArithmeticExpression.evaluate(String(sides[0])) == Double(value), "\(text)")
                    results.append(value)
                }
                let read = String(results.last!) + results.dropLast().reversed().map { String($0 % 10) }.joined()
                #expect(Int(read) == operation.apply(a, b), "\(text)")
            }
        }
    }

    /// The share of items worked in columns is what was asked, every other item is as before,
    /// and the questions and answers do not depend on the share.
    @Test func theDatasetWorksInColumnsForTheShareAsked() throws {
        let lines = try makePlugin(ArithmeticDataset.self, ["difficulty": "easy"])
        let mixed = try makePlugin(ArithmeticDataset.self, ["difficulty": "easy", "column_share": 0.4])
        let columns = try makePlugin(ArithmeticDataset.self, ["difficulty": "easy", "column_share": 1])
        func solution(_ dataset: ArithmeticDataset, _ index: Int) throws -> String {
            try #require(try JSONValue(parsing: dataset.item(split: "train", index: index).metadata!)["solution"]?.stringValue)
        }
        var workable = 0, worked = 0
        for index in 0..<1000 {
            let plain = try lines.item(split: "train", index: index)
            #expect(try mixed.item(split: "train", index: index).prompt == plain.prompt)
            #expect(try columns.item(split: "train", index: index).reference == plain.reference)
            let line = try solution(lines, index), column = try solution(columns, index), either = try solution(mixed, index)
            #expect(!line.contains(":"))
            #expect(either == line || either == column)
            #expect(AnswerExtractor.goldAnswer(fromSolution: column)?.text == plain.reference)
            guard column != line else { continue }
            #expect(column.hasSuffix(line) && column.split(separator: "\n").count == 3, "\(column)")
            workable += 1
            if either == column { worked += 1 }
        }
        #expect(workable > 400)
        #expect(abs(Double(worked) / Double(workable) - 0.4) < 0.06)
        #expect(throws: (any Error).self) { try makePlugin(ArithmeticDataset.self, ["column_share": 1.5]) }
    }
}
