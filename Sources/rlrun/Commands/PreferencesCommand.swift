import ArgumentParser
import Core
import Foundation
import RLRunSDK

struct PreferencesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preferences",
        abstract: "Collect preference pairs for reward-model training.",
        subcommands: [PreferencesCollectCommand.self]
    )
}

struct PreferencesCollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Show two sampled completions per prompt and record which one you prefer.",
        discussion: """
        Answer 1 or 2 (that one is chosen), t (a tie: written with "tie": true, which \
        `rlrun reward-model train` leaves out), s (skip: nothing written) or q (quit). Each answer \
        is appended to --out at once; prompts already answered there are not asked again, so \
        running the command again continues the session. Answers may be piped in on standard input.

        --data is a JSONL file (prompts from --prompt-field) or a dataset plugin such as arithmetic.
        """
    )

    @Option(help: "A model folder (Hugging Face layout, or one written by rlrun).") var model: String
    @Option(help: "Prompts: a JSONL file or folder, or a dataset plugin name (e.g. arithmetic, gsm8k).") var data: String
    @Option(help: "The JSONL field holding the prompt.") var promptField = "prompt"
    @Option(help: "The dataset split to take prompts from.") var split = "train"
    @Option(name: .customLong("option"), help: "A dataset plugin option, ID.KEY=VALUE (repeatable).") var options: [String] = []
    @Option(help: "The JSONL file to append preference pairs to.") var out: String
    @Option(help: "Prompts to ask about (default: all of the split).") var count: Int?
    @Option(help: "Maximum new tokens per completion.") var maxNewTokens = 128
    @Option(help: "Sampling temperature.") var temperature = 1.0
    @Option(help: "Nucleus sampling threshold.") var topP = 1.0
    @Option(help: "Random seed of the sampling.") var seed: UInt64 = 0
    @Option(help: "cpu, cuda or cuda:N.") var device = "cpu"

    func run() throws {
        let loader = PluginLoader(host: PluginHost(log: { _, message in
            FileHandle.standardError.write(Data("\(message)\n".utf8))
        }))
        let dataset = try DataArgument.open(data, promptField: promptField, options: try PluginOptionArguments.parse(options),
                                            loader: loader)
        let folder = try ModelFolder(URL(fileURLWithPath: model), device: Device(parsing: device))
        var settings = PreferenceCollector.Settings()
        settings.count = count
        settings.split = split
        settings.maxNewTokens = maxNewTokens
        settings.temperature = temperature
        settings.topP = topP
        settings.seed = seed
        let show: (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }
        // Piped answers are echoed, so a transcript reads like the session a person saw.
        let piped = isatty(STDIN_FILENO) == 0
        let tally = try PreferenceCollector(folder: folder, dataset: dataset, settings: settings).run(
            output: URL(fileURLWithPath: out),
            readLine: {
                let line = Swift.readLine()
                if piped, let line { show(line + "\n") }
                return line
            },
            show: show)
        print("[DONE] \(tally.summary); pairs in \(out)")
    }
}
