import ArgumentParser
import Core
import Foundation
import RLRunSDK

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure rlrun's speed.",
        subcommands: [EngineBench.self, ModelBench.self, TrainBench.self]
    )
}

struct EngineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Matmul GFLOP/s per dtype and the Swift + shim overhead of one tiny op versus C++."
    )

    @Option(help: "Square matrix sizes to multiply.")
    var sizes: [Int] = [256, 512, 1024, 2048]

    @Option(help: "Device: cpu, cuda or cuda:N.")
    var device = "cpu"

    @Option(help: "CPU threads for libtorch (default: libtorch's choice).")
    var threads: Int?

    @Option(help: "Minimum seconds measured per data point.")
    var seconds = 0.5

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        if let threads { try Engine.setThreads(threads) }
        let benchmark = EngineBenchmark(sizes: sizes, device: try Device(parsing: device), secondsPerMeasurement: seconds)
        let report = try benchmark.run()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        print("libtorch \(report.torchVersion), \(report.threads) threads, \(report.device)")
        if let warning = Engine.bfloat16Warning(dtype: .bfloat16, device: try Device(parsing: device)) { print("[WARN] \(warning)") }
        for r in report.matmul {
            let size = "\(r.size)x\(r.size)".padding(toLength: 10, withPad: " ", startingAt: 0)
            print("matmul \(r.dtype.padding(toLength: 9, withPad: " ", startingAt: 0)) \(size) \(String(format: "%8.1f", r.gflops)) GFLOP/s")
        }
        let op = report.tinyOp
        print(String(format: "tiny add: C++ %.3f µs/call, Swift %.3f µs/call, overhead %.3f µs",
                     op.cppMicrosecondsPerCall, op.swiftMicrosecondsPerCall, op.overheadMicroseconds))
        print(String(format: "memory read (sum of 1 GiB of float32): %.1f GB/s", report.memoryReadGBPerSecond))
        for (dtype, rate) in report.decodeLinearGBPerSecond.sorted(by: { $0.key < $1.key }) {
            print(String(format: "decoding linear (1 row of float32 x, 1 GiB of \(dtype) weights): %.1f GB/s", rate))
        }
    }
}

struct ModelBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Generation and training (forward + backward) tokens/s of random models of known shapes."
    )

    @Option(parsing: .upToNextOption, help: "Model shapes: tiny, small, qwen0.5b.") var models: [String] = ["tiny", "small"]
    @Option(parsing: .upToNextOption, help: "Batch sizes.") var batches: [Int] = [1, 8]
    @Option(parsing: .upToNextOption, help: "New tokens per generation.") var newTokens: [Int] = [64, 256]
    @Option(help: "Prompt tokens.") var promptTokens = 32
    @Option(help: "float32 or bfloat16.") var dtype = "float32"
    @Option(help: "bfloat16: keep the weight matrices in bf16 under float32 compute (generation only; no train rows).")
    var weightDtype: String?
    @Option(help: "cpu, cuda or cuda:N.") var device = "cpu"
    @Option(help: "CPU threads for libtorch.") var threads: Int?
    @Flag(help: "Generation only (bf16 training is slow on CPUs without native bf16).") var skipTrain = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        if let threads { try Engine.setThreads(threads) }
        guard let type = ["float32": DType.float32, "bfloat16": .bfloat16][dtype] else { throw ValidationError("--dtype must be float32 or bfloat16") }
        guard weightDtype == nil || (weightDtype == "bfloat16" && type == .float32) else {
            throw ValidationError("--weight-dtype takes bfloat16, under --dtype float32")
        }
        if let warning = Engine.bfloat16Warning(dtype: type, device: try Device(parsing: device)) { print("[WARN] \(warning)") }
        let benchmark = ModelBenchmark(shapes: models, batches: batches, newTokens: newTokens, promptTokens: promptTokens,
                                       dtype: type, weightDType: weightDtype.map { _ in .bfloat16 }, train: !skipTrain,
                                       device: try Device(parsing: device))
        let results = try benchmark.run { r in
            if !json {
                let reads = r.weightGBPerSecond.map { String(format: ", weights read at %.1f GB/s", $0) } ?? ""
                print("\(r.model.padding(toLength: 9, withPad: " ", startingAt: 0)) \(r.task.padding(toLength: 8, withPad: " ", startingAt: 0)) batch \(r.batch) new \(r.newTokens): " + String(format: "%9.1f tokens/s (%.2f s)", r.tokensPerSecond, r.seconds) + reads)
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
        }
    }
}

struct TrainBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Seconds per RL step (generation + update) of an algorithm plugin on random models of known shapes.",
        discussion: """
        Each step: --prompts prompts of 32 random tokens, --group completions of exactly --new-tokens tokens each, \
        one optimizer step, no reference model. Benchmarks/trl_grpo_bench.py measures TRL's GRPOTrainer the same way.
        """
    )

    @Option(parsing: .upToNextOption, help: "Model shapes: tiny, small, qwen0.5b.") var models: [String] = ["tiny", "small"]
    @Option(help: "Algorithm plugin.") var algorithm = "grpo"
    @Option(help: "Prompts per step.") var prompts = 8
    @Option(help: "Completions per prompt.") var group = 8
    @Option(help: "New tokens per completion.") var newTokens = 64
    @Option(help: "Untimed steps first.") var warmup = 2
    @Option(help: "Timed steps.") var steps = 5
    @Option(help: "CPU threads for libtorch.") var threads: Int?
    @Option(help: "Train LoRA adapters of this rank instead of every weight.") var loraRank: Int?
    @Flag(name: .customLong("4bit"), help: "A frozen 4-bit NF4 base under the adapters (needs --lora-rank).") var fourBit = false
    @Flag(name: .customLong("bf16-base"), help: "The adapters' frozen base in bf16 under float32 compute (needs --lora-rank).")
    var bf16Base = false
    @Option(help: "Mixed precision, bf16 or fp16 (TRL's bf16=True): training passes under autocast, rollouts from low-precision weight copies, float32 master weights.")
    var autocast: String?
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if fourBit && loraRank == nil { throw ValidationError("--4bit trains adapters over a frozen base: give --lora-rank too") }
        if bf16Base && (loraRank == nil || fourBit) { throw ValidationError("--bf16-base needs --lora-rank, and not --4bit") }
    }

    func run() throws {
        try Engine.prepare(.cpu)
        if let threads { try Engine.setThreads(threads) }
        let loader = PluginLoader(host: PluginHost(runDirectory: FileManager.default.temporaryDirectory.path, log: { _, _ in }))
        let plugin = try loader.algorithm(algorithm)
        var benchmark = TrainBenchmark()
        benchmark.loraRank = loraRank
        benchmark.fourBit = fourBit
        benchmark.bf16Base = bf16Base
        benchmark.autocast = autocast
        benchmark.shapes = models
        benchmark.promptsPerStep = prompts
        benchmark.groupSize = group
        benchmark.newTokens = newTokens
        benchmark.warmupSteps = warmup
        benchmark.timedSteps = steps
        let results = try benchmark.run(algorithm: plugin, algorithmName: plugin.instance.descriptor.id) { r in
            if !json {
                print("\(r.model.padding(toLength: 9, withPad: " ", startingAt: 0)) \(r.algorithm) \(r.prompts)x\(r.group) new \(r.newTokens): "
                      + String(format: "%.3f s/step (min %.3f; generation %.3f, update %.3f)", r.secondsPerStepMean,
                               r.secondsPerStepMin, r.generationSeconds, r.updateSeconds)
                      + (r.loraRank.map { " LoRA r=\($0)\(r.fourBit ? " on a 4-bit base" : r.bf16Base ? " on a bf16 base" : "")" } ?? "")
                      + (r.peakMemoryMB.map { String(format: "; peak memory %.0f MB", $0) } ?? ""))
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
        }
    }
}
