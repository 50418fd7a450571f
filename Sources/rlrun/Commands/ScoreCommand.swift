import ArgumentParser
import Core
import Foundation
import RLRunSDK

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score completions from a JSONL file with reward plugins; write JSONL with every component.",
        discussion: """
        Each input line is a JSON object with "completion" and optionally "prompt", "reference", "metadata" \
        (an object passed to the rewards), "completion_tokens" (else whitespace-separated words are counted) \
        and "truncated" (true when generation hit its length limit). \
        Each output line has the input's line number, the weighted total "reward" and "components": every \
        reward's own value under its id and its named components as id.name.

        Example: rlrun score --reward gsm8k --reward format:0.5 --input outputs.jsonl
        """
    )

    @Option(name: .customLong("reward"), help: "A reward plugin, NAME or NAME:WEIGHT (repeatable).")
    var rewards: [String]

    @Option(name: .customLong("option"), help: "A plugin option, ID.KEY=VALUE with the plugin's id as `rlrun plugins` shows it (VALUE as JSON, else text; repeatable).")
    var options: [String] = []

    @Option(name: .customLong("pin"), help: "Require a plugin file's SHA-256, NAME=DIGEST (repeatable).")
    var pins: [String] = []

    @Option(help: "Input JSONL file.")
    var input: String

    @Option(help: "Output JSONL file (default: standard output).")
    var output: String?

    func run() throws {
        var pinned: [String: String] = [:]
        for pin in pins {
            guard let equals = pin.firstIndex(of: "=") else { throw ValidationError("--pin '\(pin)' must look like NAME=SHA256") }
            pinned[String(pin[..<equals])] = String(pin[pin.index(after: equals)...])
        }
        let loader = PluginLoader(host: PluginHost(log: { level, message in
            FileHandle.standardError.write(Data("[\(level)] \(message)\n".utf8))
        }), pins: pinned)
        let optionsByPlugin = try PluginOptionArguments.parse(options)
        var terms: [RewardComposer.Term] = []
        var pinTargets: Set<String> = []
        for text in rewards {
            let spec = try RewardSpec(parsing: text)
            let id = try loader.descriptor(named: spec.name, kind: .reward).id
            let reward = try loader.reward(spec.name, options: optionsByPlugin[id] ?? [:])
            terms.append(.init(name: id, weight: spec.weight, reward: reward))
            pinTargets.formUnion([spec.name, reward.instance.descriptor.file.lastPathComponent])
        }
        let ids = Set(terms.map(\.name))
        for id in optionsByPlugin.keys where !ids.contains(id) {
            throw ValidationError("--option names plugin '\(id)', but the rewards given have ids \(ids.sorted().joined(separator: ", "))")
        }
        for name in pinned.keys where !pinTargets.contains(name) {
            throw ValidationError("--pin names '\(name)', which is none of the rewards given (pin by the name you pass to --reward or by file name)")
        }
        let lines = try ScoringJob.read(URL(fileURLWithPath: input))
        var out = ""
        var sums: [String: Double] = ["reward": 0]
        try ScoringJob(composer: RewardComposer(terms)).run(lines) { line, reward, components in
            sums["reward", default: 0] += reward
            for (name, value) in components { if let v = value.doubleValue { sums[name, default: 0] += v } }
            out += JSONValue.object(["line": .number(Double(line.lineNumber)), "reward": .number(reward),
                                     "components": .object(components)]).jsonText + "\n"
        }
        if let output {
            try AtomicFile.write(Data(out.utf8), to: URL(fileURLWithPath: output))
        } else {
            print(out, terminator: "")
        }
        let means = sums.keys.sorted().map { "\($0)=" + String(format: "%.4f", sums[$0]! / Double(max(1, lines.count))) }
        FileHandle.standardError.write(Data("[REWARD] \(lines.count) completions, means: \(means.joined(separator: ", "))\n".utf8))
    }
}

/// `--option PLUGIN.KEY=VALUE` arguments grouped by plugin.
enum PluginOptionArguments {
    static func parse(_ arguments: [String]) throws -> [String: [String: JSONValue]] {
        var result: [String: [String: JSONValue]] = [:]
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "="), let dot = argument[..<equals].firstIndex(of: ".") else {
                throw ValidationError("--option '\(argument)' must look like PLUGIN.KEY=VALUE, e.g. gsm8k.mode=strict")
            }
            let plugin = String(argument[..<dot])
            let key = String(argument[argument.index(after: dot)..<equals])
            let text = String(argument[argument.index(after: equals)...])
            result[plugin, default: [:]][key] = (try? JSONValue(parsing: text)) ?? .string(text)
        }
        return result
    }
}
