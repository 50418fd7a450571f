import Engine
import Foundation

/// The fields of a Hugging Face `config.json` that the Qwen2 / Llama family needs. Names follow
/// the file; both the old top-level `rope_theta` and transformers 5's `rope_parameters` are read.
/// LLaDA's own field names are read in `LLaDA.swift` and Dream's in `Dream.swift`: it is the same
/// transformer, bidirectional.
public struct ModelConfiguration: Sendable, Equatable {
    public var modelType: String
    public var hiddenSize: Int
    public var layers: Int
    public var attentionHeads: Int
    public var keyValueHeads: Int
    public var headDimension: Int
    public var intermediateSize: Int
    public var rmsNormEps: Double
    public var ropeTheta: Double
    public var ropeScaling: RopeScaling?
    public var maxPositions: Int
    public var vocabularySize: Int
    public var tieWordEmbeddings: Bool
    /// q/k/v projections carry a bias (always for Qwen2, `attention_bias` for Llama).
    public var attentionBias: Bool
    /// Bidirectional attention and a mask token (LLaDA-style masked diffusion).
    public var maskedDiffusion: Bool
    /// The token that stands for "unknown, to be predicted" in a masked-diffusion model.
    public var maskTokenID: Int?
    public var eosTokenIDs: [Int]
    public var storedDType: DType?

    /// Llama 3's frequency-dependent RoPE scaling.
    public struct RopeScaling: Sendable, Equatable {
        public var factor: Double
        public var lowFrequencyFactor: Double
        public var highFrequencyFactor: Double
        public var originalMaxPositions: Int
    }

    public init(modelType: String, hiddenSize: Int, layers: Int, attentionHeads: Int, keyValueHeads: Int,
                headDimension: Int? = nil, intermediateSize: Int, rmsNormEps: Double = 1e-6, ropeTheta: Double = 10000,
                ropeScaling: RopeScaling? = nil, maxPositions: Int = 2048, vocabularySize: Int,
                tieWordEmbeddings: Bool = false, attentionBias: Bool = false, maskedDiffusion: Bool = false,
                maskTokenID: Int? = nil, eosTokenIDs: [Int] = [], storedDType: DType? = nil) {
        self.modelType = modelType
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.attentionHeads = attentionHeads
        self.keyValueHeads = keyValueHeads
        self.headDimension = headDimension ?? hiddenSize / attentionHeads
        self.intermediateSize = intermediateSize
        self.rmsNormEps = rmsNormEps
        self.ropeTheta = ropeTheta
        self.ropeScaling = ropeScaling
        self.maxPositions = maxPositions
        self.vocabularySize = vocabularySize
        self.tieWordEmbeddings = tieWordEmbeddings
        self.attentionBias = attentionBias
        self.maskedDiffusion = maskedDiffusion
        self.maskTokenID = maskTokenID
        self.eosTokenIDs = eosTokenIDs
        self.storedDType = storedDType
    }

    /// Reads `config.json` of a model folder.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ModelError("\(url.path): cannot read (\(error.localizedDescription)); a model folder needs config.json")
        }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ModelError("\(url.path): not a JSON object")
        }
        try self.init(json: json, file: url.path)
    }

    init(json: [String: Any], file: String) throws {
        let type = ((json["model_type"] as? String) ?? "unknown").lowercased()
        let supported = ["qwen2", "llama", "mistral", "llada", "dream"]
        guard supported.contains(type) else {
            throw ModelError("\(file): model_type '\(type)' is not supported (supported: \(supported.joined(separator: ", ")))")
        }
        if type == "llada" {
            try self.init(llada: json, file: file)
            return
        }
        if type == "dream" {
            try self.init(dream: json, file: file)
            return
        }
        let int = Self.integerReader(json, file: file)
        let rope = json["rope_parameters"] as? [String: Any] ?? json["rope_scaling"] as? [String: Any]
        let theta = (json["rope_theta"] as? Double) ?? (rope?["rope_theta"] as? Double) ?? 10000
        var scaling: RopeScaling?
        let ropeType = (rope?["rope_type"] as? String) ?? (rope?["type"] as? String) ?? "default"
        switch ropeType {
        case "default": break
        case "llama3":
            scaling = RopeScaling(factor: rope?["factor"] as? Double ?? 8,
                                  lowFrequencyFactor: rope?["low_freq_factor"] as? Double ?? 1,
                                  highFrequencyFactor: rope?["high_freq_factor"] as? Double ?? 4,
                                  originalMaxPositions: rope?["original_max_position_embeddings"] as? Int ?? 8192)
        default:
            throw ModelError("\(file): rope type '\(ropeType)' is not supported (default, llama3)")
        }
        let hidden = try int("hidden_size")
        let heads = try int("num_attention_heads")
        self.init(
            modelType: type, hiddenSize: hidden, layers: try int("num_hidden_layers"), attentionHeads: heads,
            keyValueHeads: (json["num_key_value_heads"] as? Int) ?? heads, headDimension: json["head_dim"] as? Int,
            intermediateSize: try int("intermediate_size"), rmsNormEps: (json["rms_norm_eps"] as? Double) ?? 1e-6,
            ropeTheta: theta, ropeScaling: scaling, maxPositions: (json["max_position_embeddings"] as? Int) ?? 2048,
            vocabularySize: try int("vocab_size"), tieWordEmbeddings: (json["tie_word_embeddings"] as? Bool) ?? false,
            attentionBias: type == "qwen2" || ((json["attention_bias"] as? Bool) ?? false),
            eosTokenIDs: Self.eosTokenIDs(json), storedDType: Self.storedDType(json))
        try checkHeads(file: file)
    }

    /// Reads a required integer field, naming the file and the key when it is missing.
    static func integerReader(_ json: [String: Any], file: String) -> (String) throws -> Int {
        { key in
            guard let value = json[key] as? Int else { throw ModelError("\(file): missing integer '\(key)'") }
            return value
        }
    }

    /// `eos_token_id`, a single id or a list.
    static func eosTokenIDs(_ json: [String: Any]) -> [Int] {
        switch json["eos_token_id"] {
        case let value as Int: [value]
        case let values as [Int]: values
        default: []
        }
    }

    /// The dtype the checkpoint was saved in (`torch_dtype`, or `dtype` since transformers 5).
    static func storedDType(_ json: [String: Any]) -> DType? {
        let name = (json["torch_dtype"] as? String) ?? (json["dtype"] as? String)
        return name.flatMap { ["float32": .float32, "bfloat16": .bfloat16, "float16": .float16][$0] }
    }

    /// Grouped-query attention shares each key/value head among a whole number of query heads.
    func checkHeads(file: String) throws {
        guard attentionHeads % keyValueHeads == 0 else {
            throw ModelError("\(file): \(attentionHeads) attention heads are not a multiple of \(keyValueHeads) key/value heads")
        }
    }
}

/// A model that cannot be built or loaded: says which file and what is wrong.
public struct ModelError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
