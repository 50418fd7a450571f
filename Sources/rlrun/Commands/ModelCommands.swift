import ArgumentParser
import Core
import Foundation
import RLRunSDK

/// Options shared by the commands that open a model folder.
struct ModelOptions: ParsableArguments {
    @Option(help: "A model folder (Hugging Face layout, or one written by rlrun).") var model: String
    @Option(help: "The compute dtype: float32, bfloat16 or float16.") var dtype = "float32"
    @Option(help: "Keep the weight matrices in bfloat16 under float32 compute (half the memory and the bytes each decoding step reads; the same sums on a bf16 checkpoint). Default: the compute dtype.")
    var weightDtype: String?
    @Option(help: "cpu, cuda or cuda:N.") var device = "cpu"

    func open() throws -> ModelFolder {
        guard let type = ["float32": DType.float32, "bfloat16": .bfloat16, "float16": .float16][dtype] else {
            throw ValidationError("--dtype must be float32, bfloat16 or float16")
        }
        let weights = try weightDtype.map { name -> DType in
            guard name == "bfloat16" || name == dtype else { throw ValidationError("--weight-dtype must be bfloat16 or the compute dtype, got '\(name)'") }
            return name == "bfloat16" ? .bfloat16 : type
        }
        let target = try Device(parsing: device)
        if let warning = Engine.bfloat16Warning(dtype: type, device: target) {
            FileHandle.standardError.write(Data("[WARN] \(warning)\n".utf8))
        }
        return try ModelFolder(URL(fileURLWithPath: model), dtype: type, weightDType: weights, device: target)
    }
}

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokenize", abstract: "Show the token ids of a text.")

    @Option(help: "A model folder with a tokenizer.") var model: String
    @Argument(help: "The text.") var text: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let tokenizer = try ModelFolder(URL(fileURLWithPath: model)).tokenizer
        let ids = try tokenizer.encode(text)
        if json {
            print(JSONValue.object(["ids": .array(ids.map { .number(Double($0)) }),
                                    "tokens": .array(ids.map { .string(tokenizer.token(of: $0) ?? "?") })]).jsonText)
        } else {
            print(ids.map(String.init).joined(separator: " "))
            print(ids.map { tokenizer.token(of: $0) ?? "?" }.map(\.debugDescription).joined(separator: " "))
        }
    }
}

struct LogitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logits", abstract: "Print the model's logits for token ids (parity checks).")

    @OptionGroup var options: ModelOptions
    @Option(help: "Comma-separated token ids.") var ids: String
    @Flag(help: "All positions, not only the last.") var all = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let folder = try options.open()
        let tokens = try ids.split(separator: ",").map { part -> Int64 in
            guard let id = Int64(part.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("--ids: '\(part)' is not an id") }
            return id
        }
        let logits = try withNoGrad {
            try folder.model(Tensor(tokens, shape: [1, tokens.count], device: folder.model.device)).squeeze(0).to(.float32)
        }
        let rows = try all ? logits : logits.slice(dim: 0, start: tokens.count - 1)
        let values = try rows.toArray(Float.self)
        let width = rows.size(1)
        let matrix = (0..<rows.size(0)).map { Array(values[($0 * width)..<(($0 + 1) * width)]) }
        if json {
            print(JSONValue.array(matrix.map { .array($0.map { .number(Double($0)) }) }).jsonText)
        } else {
            for (i, row) in matrix.enumerated() {
                let top = row.enumerated().sorted { $0.element > $1.element }.prefix(5)
                print("position \(all ? i : tokens.count - 1): top " + top.map { "\($0.offset)=\(String(format: "%.4f", $0.element))" }.joined(separator: " "))
            }
        }
    }
}

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Sample completions of a prompt.")

    @OptionGroup var options: ModelOptions
    @Option(help: "The prompt (formatted with the model's chat template unless --raw).") var prompt: String
    @Flag(help: "Use the prompt text as it is.") var raw = false
    @Option(help: "Completions to sample.") var samples = 1
    @Option(help: "Sampling temperature; 0 is greedy.") var temperature = 1.0
    @Option(help: "Nucleus sampling threshold.") var topP = 1.0
    @Option(help: "Keep the k most likely tokens; 0 = all.") var topK = 0
    @Option(help: "Maximum new tokens.") var maxNewTokens = 128
    @Option(help: "Stop when this text appears (repeatable).") var stop: [String] = []
    @Option(help: "Random seed.") var seed: UInt64 = 0

    func run() throws {
        let folder = try options.open()
        let text = raw ? prompt : folder.template.render(question: prompt)
        let ids = try folder.tokenizer.encode(text)
        let sampling = SamplingOptions(temperature: temperature, topP: topP, topK: topK, maxNewTokens: maxNewTokens,
                                       stopTokenIDs: folder.stopTokenIDs)
        let started = Date()
        let tokenizer = folder.tokenizer
        let stops = stop
        let result = try folder.model.generate(
            prompts: Array(repeating: ids, count: samples), options: sampling,
            generator: Generator(seed: seed, device: folder.model.device), padTokenID: tokenizer.padTokenID ?? 0,
            stop: stops.isEmpty ? nil : { generated in
                let decoded = tokenizer.decode(generated, skipSpecialTokens: true)
                return stops.contains { decoded.contains($0) }
            })
        let seconds = Date().timeIntervalSince(started)
        for (i, tokens) in result.tokens.enumerated() {
            print("--- sample \(i + 1) (\(tokens.count) tokens, \(result.stopReasons[i].rawValue))")
            print(tokenizer.decode(tokens, skipSpecialTokens: true))
        }
        let total = result.tokens.map { $0.count }.reduce(0, +)
        FileHandle.standardError.write(Data(String(format: "%d tokens in %.2f s (%.1f tokens/s)\n", total, seconds, Double(total) / seconds).utf8))
    }
}
