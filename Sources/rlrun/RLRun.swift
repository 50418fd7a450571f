import ArgumentParser
import Core

@main
struct RLRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rlrun",
        abstract: "Reinforcement learning for language models, with algorithms, rewards and datasets as plugins.",
        subcommands: [
            TrainCommand.self, Doctor.self, PluginsCommand.self, ScoreCommand.self, NewPluginCommand.self,
            TokenizeCommand.self, LogitsCommand.self, GenerateCommand.self, Bench.self, RewardModelCommand.self, PreferencesCommand.self,
            SFTCommand.self, EvalCommand.self, ReportCommand.self,
        ],
        defaultSubcommand: TrainCommand.self
    )

    static func main() {
        FreedMemory.keepInProcess()
        main(nil)
    }
}
