import Engine
import Foundation
import Models
import RLRunSDK
import Tokenizers

/// Collects human preferences: for each prompt of a dataset, samples two completions, shows
/// both and asks which is better. Answers: 1 or 2 (that one is chosen), t (a tie: recorded
/// with `"tie": true`, so nothing the person said is lost; `rlrun reward-model train` leaves
/// ties out), s (skip: nothing recorded), q (quit). Every answer is appended to the output
/// JSONL and synced at once, so quitting or a crash loses nothing. Prompts already in the
/// output file are not asked again, so a session is resumed by running it again.
public struct PreferenceCollector {
    public struct Settings: Sendable {
        /// Prompts to ask about (answered or skipped); nil = every prompt of the split.
        public var count: Int?
        public var split = "train"
        public var maxNewTokens = 128
        public var temperature = 1.0
        public var topP = 1.0
        public var seed: UInt64 = 0
        /// Samples drawn again when both completions come out the same text, before the prompt is passed over.
        public var attempts = 3

        public init() {}
    }

    public struct Tally: Sendable, Equatable {
        public var asked = 0
        public var recorded = 0
        public var ties = 0
        public var skipped = 0
        /// Prompts passed over because both samples were the same text every time.
        public var identical = 0
        /// Prompts left out because the output file already answers them.
        public var alreadyAnswered = 0
        public var quit = false

        public var summary: String {
            var parts = ["\(recorded) preference\(recorded == 1 ? "" : "s") recorded", "\(ties) tie\(ties == 1 ? "" : "s")",
                         "\(skipped) skipped"]
            if identical > 0 { parts.append("\(identical) passed over (two identical completions)") }
            if alreadyAnswered > 0 { parts.append("\(alreadyAnswered) already in the file") }
            return parts.joined(separator: ", ") + (quit ? " (quit early)" : "")
        }
    }

    /// What the person answered.
    public enum Answer: Equatable, Sendable {
        case first, second, tie, skip, quit

        /// nil for anything that is not an answer (asked again).
        public init?(_ text: String) {
            switch text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
            case "1": self = .first
            case "2": self = .second
            case "t", "tie": self = .tie
            case "s", "skip": self = .skip
            case "q", "quit": self = .quit
            default: return nil
            }
        }
    }

    public static let question = "Which is better? 1, 2, t (tie), s (skip), q (quit): "

    public let folder: ModelFolder
    public let dataset: any Dataset
    public let settings: Settings

    public init(folder: ModelFolder, dataset: any Dataset, settings: Settings = Settings()) {
        self.folder = folder
        self.dataset = dataset
        self.settings = settings
    }

    /// Runs the session. `readLine` gives the person's next line (nil at the end of input, which
    /// ends the session like q); `show` prints to them.
    public func run(output: URL, readLine: () -> String?, show: (String) -> Void) throws -> Tally {
        var tally = Tally()
        let answered = try Self.answeredPrompts(output)
        let writer = try AppendingLines(output)
        let generator = try Generator(seed: settings.seed, device: folder.model.device)
        let sampling = SamplingOptions(temperature: settings.temperature, topP: settings.topP,
                                       maxNewTokens: settings.maxNewTokens, stopTokenIDs: folder.stopTokenIDs)
        let total = try dataset.count(split: settings.split)
        let wanted = min(settings.count ?? total, total)
        var index = 0
        while tally.asked < wanted, index < total {
            let item = try dataset.item(split: settings.split, index: index)
            index += 1
            if answered.contains(item.prompt) {
                tally.alreadyAnswered += 1
                continue
            }
            guard let (first, second) = try sample(item, sampling: sampling, generator: generator) else {
                tally.identical += 1
                show("(prompt \(index) gave the same completion \(settings.attempts) times; passed over)\n")
                continue
            }
            tally.asked += 1
            show(Self.display(prompt: item.prompt, first, second, number: tally.asked, of: wanted))
            let answer = Self.ask(readLine: readLine, show: show)
            var record: [String: JSONValue] = ["prompt": .string(item.prompt)]
            switch answer {
            case .first, .second:
                record["chosen"] = .string(answer == .first ? first : second)
                record["rejected"] = .string(answer == .first ? second : first)
                tally.recorded += 1
            case .tie:
                record["chosen"] = .string(first)
                record["rejected"] = .string(second)
                record["tie"] = .bool(true)
                tally.ties += 1
            case .skip:
                tally.skipped += 1
                continue
            case .quit:
                tally.asked -= 1
                tally.quit = true
                return tally
            }
            try writer.append(JSONValue.object(record).jsonText)
        }
        return tally
    }

    /// Two different completions of `item`, or nil when every attempt gave the same text twice.
    private func sample(_ item: DatasetItem, sampling: SamplingOptions, generator: Generator) throws -> (String, String)? {
        let prompt = try folder.tokenizer.encode(folder.template.render(question: item.prompt, system: item.system))
        for _ in 0..<max(1, settings.attempts) {
            let result = try folder.model.generate(prompts: [prompt, prompt], options: sampling, generator: generator,
                                                   padTokenID: folder.tokenizer.padTokenID ?? 0)
            let texts = result.tokens.map { folder.tokenizer.decode($0, skipSpecialTokens: true) }
            if texts[0] != texts[1] { return (texts[0], texts[1]) }
        }
        return nil
    }

    static func display(prompt: String, _ first: String, _ second: String, number: Int, of total: Int) -> String {
        let rule = String(repeating: "=", count: 72)
        return """

        \(rule)
        Prompt \(number) of \(total)
        \(rule)
        \(prompt)

        ----------------------------------- [1] -----------------------------------
        \(first)

        ----------------------------------- [2] -----------------------------------
        \(second)

        \(rule)

        """
    }

    /// Asks until the line is an answer; the end of input counts as quit.
    static func ask(readLine: () -> String?, show: (String) -> Void) -> Answer {
        while true {
            show(question)
            guard let line = readLine() else {
                show("\n")
                return .quit
            }
            if let answer = Answer(line) { return answer }
            show("'\(line.trimmingCharacters(in: .whitespacesAndNewlines))' is not an answer. ")
        }
    }

    /// Prompts the output file already holds an answer for (a missing file holds none).
    static func answeredPrompts(_ output: URL) throws -> Set<String> {
        guard let data = FileManager.default.contents(atPath: output.path) else { return [] }
        var prompts = Set<String>()
        for (offset, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated()
        where line.contains(where: { !$0.isWhitespace }) {
            guard let prompt = (try? JSONValue(parsing: String(line)))?["prompt"]?.stringValue else {
                throw ConfigurationError(source: "\(output.path) line \(offset + 1)",
                                         message: "not a preference line with a \"prompt\"; give --out a new file or a file this command wrote")
            }
            prompts.insert(prompt)
        }
        return prompts
    }
}

/// A JSONL file open for appending, each line written and synced to disk before the next answer.
final class AppendingLines {
    private let handle: FileHandle

    init(_ url: URL) throws {
        let manager = FileManager.default
        if !manager.fileExists(atPath: url.path) {
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard manager.createFile(atPath: url.path, contents: nil) else {
                throw ConfigurationError(source: url.path, message: "cannot create the output file")
            }
        }
        do { handle = try FileHandle(forWritingTo: url) } catch {
            throw ConfigurationError(source: url.path, message: "cannot open for appending (\(error.localizedDescription))")
        }
        try handle.seekToEnd()
        // A file whose last line has no newline (cut off by hand) gets one, so lines stay whole.
        if try handle.offset() > 0, let reading = try? FileHandle(forReadingFrom: url) {
            try reading.seek(toOffset: try handle.offset() - 1)
            if reading.readData(ofLength: 1) != Data("\n".utf8) { handle.write(Data("\n".utf8)) }
            try reading.close()
        }
    }

    deinit { try? handle.close() }

    func append(_ line: String) throws {
        handle.write(Data((line + "\n").utf8))
        try handle.synchronize()
    }
}
