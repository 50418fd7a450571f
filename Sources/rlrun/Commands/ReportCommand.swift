import ArgumentParser
import Core
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an HTML report of one or more runs: plots, alerts and sample completions.",
        discussion: """
        One self-contained page (no scripts, nothing fetched: it opens offline and can be mailed) \
        with reward and its components, accuracy, KL, entropy, completion length, clip fractions, \
        LIMEN tension, learning rate, loss and gradient norm, several runs overlaid in each plot; \
        then each run's alerts, configuration and latest sample completions. A run directory is \
        what `rlrun` writes under runs/: metrics.jsonl (required), samples.jsonl, alerts.jsonl and \
        config.json where present. A run writes its own report.html when it ends; this command \
        draws one while it is still going, redraws it, or compares runs.

        Examples:
          rlrun report runs/20250101-120000-dapo
          rlrun report runs/*-dapo runs/*-grpo --out dapo-vs-grpo.html
        """
    )

    @Argument(help: "Run directories (the first one holds the report unless --out is given).") var runDirectories: [String]
    @Option(help: "Where to write the page (default: report.html in the first run directory).") var out: String?
    @Option(help: "Sample completions shown per run, the latest ones (default: 20).") var samples: Int?

    func run() throws {
        print("[REPORT] \(try RunReport.write(runDirectories: runDirectories, output: out, samplesPerRun: samples).path)")
    }
}
