import DatasetFiles
import Foundation
import MathAnswers
import ReasoningFormats
import RLRunSDK

/// GSM8K as a dataset: `{"question", "answer"}` lines whose answer is a worked solution ending
/// in `#### N`. The reference is N (commas dropped, as OpenAI's grader does); the whole
/// solution travels in the metadata as `solution`, for rewards and supervised warm-starts.
public final class GSM8KDataset: PluginDefinition, StoredDataset {
    public static let info = PluginInfo(
        id: "gsm8k", version: "1.0.0",
        summary: "GSM8K word problems from JSONL (question; answer ending in #### N); reference = N, metadata.solution = the worked answer",
        options: [
            .string("path", default: nil,
                    help: "folder whose NAME.jsonl files are the splits (train.jsonl, test.jsonl), or one file (the train split); default: $\(pathVariable)"),
            .choice("format", PromptTemplate.allCases.map(\.rawValue), default: PromptTemplate.plain.rawValue,
                    help: "plain: the question and 'output the final answer after ####'; think: <think>/<answer> with open-r1's system prompt; reasoning: <reasoning>/<answer> with d1's"),
            .boolean("skip_invalid", default: false, help: "skip malformed lines (and log how many) instead of stopping at the first"),
        ],
        threadSafe: true)

    /// Where the data is when the `path` option is not given.
    public static let pathVariable = "RLRUN_GSM8K_DIR"

    public let storedSplits: StoredSplits
    /// Per file, the 1-based numbers of the malformed lines that `skip_invalid` left out.
    public let skippedLines: [String: [Int]]

    public init(configuration: PluginConfiguration, host: PluginHost) throws {
        guard let path = try configuration.string("path") ?? ProcessInfo.processInfo.environment[Self.pathVariable] else {
            throw PluginError(.config, "the gsm8k dataset needs its files: pass --option gsm8k.path=FOLDER (with train.jsonl and test.jsonl, e.g. shared/data/gsm8k next to rlrun's checkout) or set \(Self.pathVariable)")
        }
        let template = PromptTemplate(rawValue: try configuration.string("format") ?? "")!
        let loaded = try SplitLoader(skipInvalid: try configuration.bool("skip_invalid")).load(path) { try Self.item($0, template: template) }
        loaded.skipSummary.forEach { host.log(.warning, "gsm8k: \($0)") }
        storedSplits = loaded.splits
        skippedLines = loaded.skippedLines
    }

    private static func item(_ record: [String: JSONValue], template: PromptTemplate) throws -> DatasetItem {
        let question = try JSONLines.text(record, "question")
        let solution = try JSONLines.text(record, "answer")
        guard let marker = solution.range(of: "####", options: .backwards),
              AnswerExtractor.goldAnswer(fromSolution: solution) != nil else {
            throw MalformedRecord("the answer does not end in '#### N' with a number N")
        }
        let reference = solution[marker.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ",", with: "")
        return DatasetItem(prompt: template.prompt(question: question), system: template.system, reference: reference,
                           metadata: JSONValue.object(["solution": .string(solution)]).jsonText)
    }
}
