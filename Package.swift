// swift-tools-version:6.0
import Foundation
import PackageDescription

// libtorch is found through .deps/torch, a link that scripts/bootstrap-libtorch.sh points at
// the wheel it installed or at the installation named by $LIBTORCH. Paths are derived from
// this package's own directory, so no machine's absolute path is written anywhere.
let torch = Context.packageDirectory + "/.deps/torch"

let package = Package(
    name: "rlrun",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "rlrun", targets: ["rlrun"]),
        .library(name: "Core", targets: ["Core"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "RLRunSDK", targets: ["RLRunSDK"]),
        // Plugins: each its own shared library (libNAME.so), found by `--reward NAME` etc.
        .library(name: "gsm8k", type: .dynamic, targets: ["GSM8KPlugin"]),
        .library(name: "format", type: .dynamic, targets: ["FormatPlugin"]),
        .library(name: "reasoning", type: .dynamic, targets: ["ReasoningPlugin"]),
        .library(name: "limen", type: .dynamic, targets: ["LimenPlugin"]),
        .library(name: "safety", type: .dynamic, targets: ["SafetyPlugin"]),
        .library(name: "quality", type: .dynamic, targets: ["QualityPlugin"]),
        .library(name: "curiosity", type: .dynamic, targets: ["CuriosityPlugin"]),
        .library(name: "jsonl", type: .dynamic, targets: ["JSONLPlugin"]),
        .library(name: "arithmetic", type: .dynamic, targets: ["ArithmeticPlugin"]),
        .library(name: "preferences", type: .dynamic, targets: ["PreferencesPlugin"]),
        .library(name: "grpo", type: .dynamic, targets: ["GRPOPlugin"]),
        .library(name: "drgrpo", type: .dynamic, targets: ["DrGRPOPlugin"]),
        .library(name: "dapo", type: .dynamic, targets: ["DAPOPlugin"]),
        .library(name: "ppo", type: .dynamic, targets: ["PPOPlugin"]),
        .library(name: "random", type: .dynamic, targets: ["RandomMaskingPlugin"]),
        .library(name: "progressive", type: .dynamic, targets: ["ProgressiveMaskingPlugin"]),
        .library(name: "dynamic", type: .dynamic, targets: ["DynamicMaskingPlugin"]),
        .library(name: "informed", type: .dynamic, targets: ["InformedMaskingPlugin"]),
        .library(name: "diffu-grpo", type: .dynamic, targets: ["DiffuGRPOPlugin"]),
        .library(name: "reward-model", type: .dynamic, targets: ["RewardModelPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // The C boundary: tensor table and plugin ABI headers (plus this image's engine pointer).
        .target(name: "RLRunABI", path: "Sources/Core/ABI"),
        // The only C++: libtorch behind the tensor table.
        .target(
            name: "TorchShim",
            dependencies: ["RLRunABI"],
            path: "Sources/Core/Shim",
            cxxSettings: [.headerSearchPath("gloo-declarations"),
                          // Where scripts/bootstrap-nccl.sh puts the NCCL backend library (.deps/nccl).
                          .define("RLRUN_DEPS_DIRECTORY", to: "\"" + Context.packageDirectory + "/.deps\""),
                          .unsafeFlags(["-I", torch + "/include", "-I", torch + "/include/torch/csrc/api/include", "-w"])],
            linkerSettings: [
                .unsafeFlags(["-L", torch + "/lib", "-Xlinker", "-rpath", "-Xlinker", torch + "/lib"]),
                .linkedLibrary("torch_cpu"),
                .linkedLibrary("c10"),
            ]
        ),
        // Swift tensors, autograd, optimisers and safetensors, over whichever table is installed.
        .target(name: "Engine", dependencies: ["RLRunABI"], path: "Sources/Core/Engine"),
        // Policy models: Qwen2 / Llama transformers from Hugging Face folders.
        .target(name: "Models", dependencies: ["Engine"], path: "Sources/Core/Models"),
        // Text to tokens and back: byte-level BPE from tokenizer.json, chat templates, characters.
        .target(name: "Tokenizers", path: "Sources/Core/Tokenizers"),
        // Run outputs for people and tools: TensorBoard events, metrics/samples/alerts files, alerts, report.html.
        .target(name: "Reporting", path: "Sources/Core/Reporting"),
        // The RL loop: rollouts, rewards, the algorithm's update, evaluation.
        .target(name: "Training", dependencies: ["Engine", "Models", "Tokenizers", "RLRunSDK", "SeededRandom"], path: "Sources/Core/Training"),
        // What a plugin author builds against: the protocols, and the exporter to the C ABI.
        .target(name: "RLRunSDK", dependencies: ["Engine", "RLRunABI"], path: "Sources/Core/SDK"),
        // The host runtime.
        .target(name: "Core", dependencies: ["Engine", "Models", "Tokenizers", "Training", "RLRunSDK", "TorchShim", "Yams", "Reporting"],
                path: "Sources/Core/Runtime"),
        // Plugins shipped with rlrun, and code they share (linked into each).
        .target(name: "MathAnswers", path: "Sources/Plugins/Shared/MathAnswers"),
        .target(name: "ReasoningFormats", path: "Sources/Plugins/Shared/ReasoningFormats"),
        .target(name: "TextRepetition", path: "Sources/Plugins/Shared/TextRepetition"),
        .target(name: "ContentRules", dependencies: ["RLRunSDK"], path: "Sources/Plugins/Shared/ContentRules"),
        .target(name: "DatasetFiles", dependencies: ["RLRunSDK", "SeededRandom"], path: "Sources/Plugins/Shared/DatasetFiles"),
        // Each plugin's code is a module of its own, apart from its one-line export (every plugin
        // library defines rlrun_plugin_entry, so tests link the code modules, never two exports).
        .target(name: "GSM8KTask", dependencies: ["RLRunSDK", "MathAnswers", "DatasetFiles", "ReasoningFormats"], path: "Sources/Plugins/gsm8k/Task"),
        .target(name: "GSM8KPlugin", dependencies: ["RLRunSDK", "GSM8KTask"], path: "Sources/Plugins/gsm8k", exclude: ["Task"]),
        .target(name: "FormatCheck", dependencies: ["RLRunSDK", "ReasoningFormats"], path: "Sources/Plugins/format/Reward"),
        .target(name: "FormatPlugin", dependencies: ["RLRunSDK", "FormatCheck"], path: "Sources/Plugins/format", exclude: ["Reward"]),
        .target(name: "ReasoningHeuristics", dependencies: ["RLRunSDK", "MathAnswers", "TextRepetition"], path: "Sources/Plugins/reasoning/Reward"),
        .target(name: "ReasoningPlugin", dependencies: ["RLRunSDK", "ReasoningHeuristics"], path: "Sources/Plugins/reasoning", exclude: ["Reward"]),
        .target(name: "LimenValidation", dependencies: ["RLRunSDK", "MathAnswers", "ContentRules", "ReasoningFormats", "TextRepetition", "Training"], path: "Sources/Plugins/limen/Reward"),
        .target(name: "LimenPlugin", dependencies: ["RLRunSDK", "LimenValidation"], path: "Sources/Plugins/limen", exclude: ["Reward"]),
        .target(name: "SafetyFilter", dependencies: ["RLRunSDK", "ContentRules"], path: "Sources/Plugins/safety/Reward"),
        .target(name: "SafetyPlugin", dependencies: ["RLRunSDK", "SafetyFilter"], path: "Sources/Plugins/safety", exclude: ["Reward"]),
        .target(name: "TextOverlap", dependencies: ["RLRunSDK"], path: "Sources/Plugins/quality/Reward"),
        .target(name: "QualityPlugin", dependencies: ["RLRunSDK", "TextOverlap"], path: "Sources/Plugins/quality", exclude: ["Reward"]),
        .target(name: "NoveltyBonus", dependencies: ["RLRunSDK", "SeededRandom"], path: "Sources/Plugins/curiosity/Reward"),
        .target(name: "CuriosityPlugin", dependencies: ["RLRunSDK", "NoveltyBonus"], path: "Sources/Plugins/curiosity", exclude: ["Reward"]),
        .target(name: "JSONLReader", dependencies: ["RLRunSDK", "DatasetFiles"], path: "Sources/Plugins/jsonl/Dataset"),
        .target(name: "JSONLPlugin", dependencies: ["RLRunSDK", "JSONLReader"], path: "Sources/Plugins/jsonl", exclude: ["Dataset"]),
        .target(name: "ArithmeticGenerator", dependencies: ["RLRunSDK", "ReasoningFormats", "SeededRandom"], path: "Sources/Plugins/arithmetic/Dataset"),
        .target(name: "ArithmeticPlugin", dependencies: ["RLRunSDK", "ArithmeticGenerator"], path: "Sources/Plugins/arithmetic", exclude: ["Dataset"]),
        .target(name: "PreferencePairs", dependencies: ["RLRunSDK", "DatasetFiles"], path: "Sources/Plugins/preferences/Dataset"),
        .target(name: "PreferencesPlugin", dependencies: ["RLRunSDK", "PreferencePairs"], path: "Sources/Plugins/preferences", exclude: ["Dataset"]),
        // Links Training for the reward model; its tensors go through the host's engine table.
        .target(name: "RewardModelScoring", dependencies: ["RLRunSDK", "Training"], path: "Sources/Plugins/reward-model/Reward"),
        .target(name: "RewardModelPlugin", dependencies: ["RLRunSDK", "RewardModelScoring"], path: "Sources/Plugins/reward-model", exclude: ["Reward"]),
        .target(name: "SeededRandom", path: "Sources/Plugins/Shared/SeededRandom"),
        // Policy-optimisation formulas (Engine only), and what the algorithm plugins share on the SDK side.
        .target(name: "PolicyObjectives", dependencies: ["Engine"], path: "Sources/Plugins/Shared/PolicyObjectives"),
        .target(name: "PolicyAlgorithms", dependencies: ["RLRunSDK", "PolicyObjectives"], path: "Sources/Plugins/Shared/PolicyAlgorithms"),
        .target(name: "GRPOAlgorithm", dependencies: ["PolicyAlgorithms", "RLRunSDK"], path: "Sources/Plugins/grpo/Algorithm"),
        .target(name: "GRPOPlugin", dependencies: ["GRPOAlgorithm", "RLRunSDK"], path: "Sources/Plugins/grpo", exclude: ["Algorithm"]),
        .target(name: "DrGRPOAlgorithm", dependencies: ["PolicyAlgorithms", "RLRunSDK"], path: "Sources/Plugins/drgrpo/Algorithm"),
        .target(name: "DrGRPOPlugin", dependencies: ["DrGRPOAlgorithm", "RLRunSDK"], path: "Sources/Plugins/drgrpo", exclude: ["Algorithm"]),
        .target(name: "DAPOAlgorithm", dependencies: ["PolicyAlgorithms", "RLRunSDK"], path: "Sources/Plugins/dapo/Algorithm"),
        .target(name: "DAPOPlugin", dependencies: ["DAPOAlgorithm", "RLRunSDK"], path: "Sources/Plugins/dapo", exclude: ["Algorithm"]),
        .target(name: "PPOAlgorithm", dependencies: ["PolicyAlgorithms", "PolicyObjectives", "RLRunSDK"], path: "Sources/Plugins/ppo/Algorithm"),
        .target(name: "PPOPlugin", dependencies: ["PPOAlgorithm", "RLRunSDK"], path: "Sources/Plugins/ppo", exclude: ["Algorithm"]),
        // Masking strategies live apart from their one-line exports: every plugin library defines
        // rlrun_plugin_entry, so tests link the strategies, never two export targets.
        .target(name: "MaskingStrategies", dependencies: ["RLRunSDK", "SeededRandom"], path: "Sources/Plugins/Shared/MaskingStrategies"),
        .target(name: "RandomMaskingPlugin", dependencies: ["RLRunSDK", "MaskingStrategies"], path: "Sources/Plugins/random"),
        .target(name: "ProgressiveMaskingPlugin", dependencies: ["RLRunSDK", "MaskingStrategies"], path: "Sources/Plugins/progressive"),
        .target(name: "DynamicMaskingPlugin", dependencies: ["RLRunSDK", "MaskingStrategies"], path: "Sources/Plugins/dynamic"),
        .target(name: "InformedMaskingPlugin", dependencies: ["RLRunSDK", "MaskingStrategies"], path: "Sources/Plugins/informed"),
        .target(name: "DiffuGRPOAlgorithm", dependencies: ["RLRunSDK", "PolicyObjectives"], path: "Sources/Plugins/diffu-grpo/Algorithm"),
        .target(name: "DiffuGRPOPlugin", dependencies: ["RLRunSDK", "DiffuGRPOAlgorithm"], path: "Sources/Plugins/diffu-grpo",
                exclude: ["Algorithm"]),
        .executableTarget(
            name: "rlrun",
            dependencies: ["Core", "RLRunSDK", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "TorchShim"]),
        .testTarget(name: "ModelTests", dependencies: ["Models", "TorchShim"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "TorchShim"]),
        .testTarget(name: "TokenizerTests", dependencies: ["Tokenizers", "SeededRandom"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting"]),
        .testTarget(
            name: "AlgorithmTests",
            dependencies: ["GRPOAlgorithm", "DrGRPOAlgorithm", "DAPOAlgorithm", "PPOAlgorithm", "PolicyAlgorithms", "PolicyObjectives",
                           "RLRunSDK", "TorchShim"]
        ),
        .testTarget(name: "PluginTests", dependencies: [
            "RLRunSDK", "MathAnswers", "ReasoningFormats", "TextRepetition", "GSM8KTask", "FormatCheck", "ReasoningHeuristics",
            "LimenValidation", "SafetyFilter", "TextOverlap", "NoveltyBonus", "JSONLReader", "ArithmeticGenerator", "PreferencePairs",
        ], exclude: ["Fixtures"]),
        .testTarget(name: "MaskingTests", dependencies: ["MaskingStrategies", "DiffuGRPOAlgorithm", "RLRunSDK", "TorchShim"]),
        // Fixtures holds C sources the tests compile with cc at run time, not target sources.
        .testTarget(name: "CoreTests", dependencies: ["Core", "RLRunSDK"], exclude: ["Fixtures"]),
        .testTarget(name: "RewardModelTests", dependencies: ["Core", "RLRunSDK", "RewardModelScoring", "LimenValidation"]),
    ],
    cxxLanguageStandard: .cxx17
)

// Parser fuzzing (Fuzz/README.md). What each fuzzer does with an input lives in an entry
// module of the normal build, so that FuzzRegressionTests replays the saved corpus through
// exactly the code the fuzzer ran.
package.targets += [
    .target(name: "SafeTensorsFuzzEntry", dependencies: ["Engine"], path: "Fuzz/Entries/SafeTensors"),
    .target(name: "TokenizerFuzzEntries", dependencies: ["Tokenizers"], path: "Fuzz/Entries/Tokenizers"),
    .target(name: "RunConfigurationFuzzEntry", dependencies: ["Core", "Training", "RLRunSDK"], path: "Fuzz/Entries/Configuration"),
    .target(name: "GSM8KAnswerFuzzEntry", dependencies: ["GSM8KTask", "MathAnswers", "RLRunSDK"], path: "Fuzz/Entries/Answers"),
    // Corpus holds the seed and regression inputs, read at run time, not target sources.
    .testTarget(name: "FuzzRegressionTests", dependencies: [
        "SafeTensorsFuzzEntry", "TokenizerFuzzEntries", "RunConfigurationFuzzEntry", "GSM8KAnswerFuzzEntry",
    ], exclude: ["Corpus"]),
]

// The libFuzzer executables themselves, only with RLRUN_FUZZ set (scripts/fuzz.sh sets it and
// builds them with -sanitize=fuzzer,address).
if ProcessInfo.processInfo.environment["RLRUN_FUZZ"] != nil {
    let fuzzers = [
        ("fuzz-safetensors", "SafeTensorsFuzzer", "SafeTensorsFuzzEntry"),
        ("fuzz-tokenizer-json", "TokenizerJSONFuzzer", "TokenizerFuzzEntries"),
        ("fuzz-bpe-round-trip", "BPERoundTripFuzzer", "TokenizerFuzzEntries"),
        ("fuzz-run-configuration", "RunConfigurationFuzzer", "RunConfigurationFuzzEntry"),
        ("fuzz-gsm8k-answer", "GSM8KAnswerFuzzer", "GSM8KAnswerFuzzEntry"),
    ]
    package.targets.append(.target(name: "LibFuzzerDriver", path: "Fuzz/Driver"))
    // libFuzzer's entry point and the start of its driver, shared by every fuzzer's one-line main.
    package.targets.append(.target(name: "FuzzMain", dependencies: ["LibFuzzerDriver"], path: "Fuzz/Main"))
    package.targets += fuzzers.map { _, target, entry in
        .executableTarget(name: target, dependencies: [.target(name: entry), "FuzzMain"], path: "Fuzz/Targets/\(target)")
    }
    package.products += fuzzers.map { product, target, _ in .executable(name: product, targets: [target]) }
}
