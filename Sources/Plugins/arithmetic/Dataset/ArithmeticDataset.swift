import ReasoningFormats
import RLRunSDK
import SeededRandom

/// The built-in task: GSM8K-style word problems generated from templates, with one to three
/// operations on small whole numbers, a worked solution with calculator annotations and
/// `#### N`. Item i of a split is a pure function of (seed, split, i), so the data set needs
/// no storage and can be as large as asked. A question belongs to the test split exactly when
/// a hash of its text says so, which keeps train and test disjoint while both follow the same
/// distribution (as GSM8K's splits do: the same kinds of steps, never the same question).
/// Hashing only the template and numbers would leave the test split of a small range, say
/// easy's 81 products of packs, with a handful of problems repeated many times.
public final class ArithmeticDataset: PluginDefinition, Dataset {
    public static let info = PluginInfo(
        id: "arithmetic", version: "1.1.0",
        summary: "generated GSM8K-style word problems (1-3 operations, calculator-annotated solutions, #### N); seeded, disjoint train/test",
        options: [
            .choice("difficulty", ["mixed"] + Difficulty.allCases.map(\.rawValue), default: "mixed",
                    help: "easy: one operation on numbers up to 50; medium: two, up to 100; hard: three, up to 200; mixed: any"),
            .integer("train_size", default: 1_000_000, help: "items in the train split (generated on demand, so large is free)"),
            .integer("test_size", default: 500, help: "items in the test split"),
            .integer("seed", default: 0, help: "seed of the problems and of the train/test partition"),
            .choice("format", PromptTemplate.allCases.map(\.rawValue), default: PromptTemplate.plain.rawValue,
                    help: "plain: the question and 'output the final answer after ####'; think / reasoning: tagged formats with their system prompt"),
            .number("column_share", default: 0,
                    help: "share of solutions that first work each sum, difference and product by a factor up to 10 column by column (7 + 4 = 11, carry 1; ...), up to 50 characters more a solution, so give max_new_tokens 128; 0: GSM8K's one annotated line per computation everywhere"),
            .number("restate_share", default: 0,
                    help: "share of solutions that first copy the question out ('We are asked: ...'), as a verbose teacher does; a restated solution is over 96 characters, so under the built-in 96 new tokens such a completion runs out before its answer and the reward teaches the policy to drop the habit"),
        ],
        threadSafe: true)

    /// About one problem in this many goes to the test split.
    static let testShare: UInt64 = 10
    /// Draws tried for an item before giving up; the test split needs about `testShare`.
    private static let maxDraws = 100 * Int(testShare)

    public let splits = ["train", "test"]
    private let difficulty: Difficulty?
    private let sizes: [String: Int]
    private let seed: UInt64
    private let template: PromptTemplate
    private let columnShare: Double
    private let restateShare: Double

    public init(configuration: PluginConfiguration, host: PluginHost) throws {
        difficulty = Difficulty(rawValue: try configuration.string("difficulty") ?? "")
        sizes = ["train": try configuration.int("train_size"), "test": try configuration.int("test_size")]
        guard sizes.values.allSatisfy({ $0 >= 0 }) else { throw PluginError(.config, "train_size and test_size must be >= 0") }
        seed = UInt64(bitPattern: Int64(try configuration.int("seed")))
        template = PromptTemplate(rawValue: try configuration.string("format") ?? "")!
        columnShare = try configuration.double("column_share")
        restateShare = try configuration.double("restate_share")
        for (name, share) in [("column_share", columnShare), ("restate_share", restateShare)] where !(0...1).contains(share) {
            throw PluginError(.config, "\(name) must be between 0 and 1; got \(share)")
        }
    }

    public func count(split: String) throws -> Int {
        guard let size = sizes[split] else {
            throw PluginError(.input, "no split '\(split)'; this dataset has: \(splits.joined(separator: ", "))")
        }
        return size
    }

    public func item(split: String, index: Int) throws -> DatasetItem {
        let size = try count(split: split)
        guard (0..<size).contains(index) else {
            throw PluginError(.input, "index \(index) is outside split '\(split)' (\(size) items)")
        }
        let problem = try self.problem(test: split == "test", index: index)
        let metadata = JSONValue.object(["solution": .string(problem.solution), "template": .string(problem.template),
                                         "difficulty": .string(problem.difficulty.rawValue)])
        return DatasetItem(prompt: template.prompt(question: problem.question), system: template.system,
                           reference: String(problem.answer), metadata: metadata.jsonText)
    }

    /// Draws problems for (split, index) until one belongs to the split.
    func problem(test: Bool, index: Int) throws -> WordProblem {
        for attempt in 0..<Self.maxDraws {
            var generator = SplitMix64(seed: seed, test ? 2 : 1, UInt64(index), UInt64(attempt))
            let level = difficulty ?? generator.element(of: Difficulty.allCases)
            let template = generator.element(of: ProblemTemplate.all.filter { $0.operations == level.operations })
            var draw = ProblemDraw(generator: generator, difficulty: level)
            let problem = template.make(&draw, columns: worksInColumns(test: test, index: index),
                                        restates: restatesQuestion(test: test, index: index))
            if isTest(problem) == test { return problem }
        }
        throw PluginError(.failed, "no \(test ? "test" : "train") problem found for item \(index) in \(Self.maxDraws) draws")
    }

    /// Whether item `index` of a split works in columns.
    func worksInColumns(test: Bool, index: Int) -> Bool { drawsStyle(columnShare, stream: 3, test: test, index: index) }

    /// Whether item `index`'s solution first copies the question out.
    func restatesQuestion(test: Bool, index: Int) -> Bool { drawsStyle(restateShare, stream: 5, test: test, index: index) }

    /// A solution style chosen for `share` of the items: a draw of its own per style (the
    /// test split on the next stream), apart from the problem's, so the questions are the
    /// same whatever the share.
    private func drawsStyle(_ share: Double, stream: UInt64, test: Bool, index: Int) -> Bool {
        guard share > 0 else { return false }
        var generator = SplitMix64(seed: seed, test ? stream + 1 : stream, UInt64(index))
        return generator.unit() < share
    }

    func isTest(_ problem: WordProblem) -> Bool { stableHash(problem.question, seed: seed) % Self.testShare == 0 }
}
