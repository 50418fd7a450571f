import Engine
import Foundation

/// Where a model's parameters come from while it is built: a checkpoint (by Hugging Face
/// name, translated by `WeightNames` for checkpoints that spell them otherwise) or fresh random
/// initialisation. Layers ask for each tensor by name and shape; the source records what is
/// missing or mis-shaped so that one error can list all of it.
public final class WeightSource {
    enum Origin {
        case checkpoint([String: SafeTensorsFile], folder: String, names: WeightNames)
        case random(Generator, std: Double)
    }

    let origin: Origin
    /// The compute dtype: activations, norms, biases, the KV cache.
    public let dtype: DType
    /// The dtype weight matrices (embedding, projections, head) are kept in: `dtype`, or bf16
    /// under float32 compute, which halves what every decoding step reads and, on a bf16
    /// checkpoint, computes the same float32 sums as widening the weights once at load.
    public let weightDType: DType
    public let device: Device
    private(set) var requested: Set<String> = []
    private var problems: [String] = []

    init(origin: Origin, dtype: DType, weightDType: DType?, device: Device) {
        self.origin = origin
        self.dtype = dtype
        self.weightDType = weightDType ?? dtype
        self.device = device
    }

    /// The `*.safetensors` of a model folder: `model.safetensors`, or the shards listed in
    /// `model.safetensors.index.json`, whose tensors are named as `names` says.
    public static func checkpoint(folder: URL, dtype: DType, weightDType: DType? = nil, device: Device,
                                  names: WeightNames = .huggingFace) throws -> WeightSource {
        let index = folder.appendingPathComponent("model.safetensors.index.json")
        var files: [String: SafeTensorsFile] = [:]
        if FileManager.default.fileExists(atPath: index.path) {
            guard let json = try JSONSerialization.jsonObject(with: Data(contentsOf: index)) as? [String: Any],
                  let map = json["weight_map"] as? [String: String] else {
                throw ModelError("\(index.path): needs a \"weight_map\" object of tensor name -> shard file")
            }
            var shards: [String: SafeTensorsFile] = [:]
            for shard in Set(map.values).sorted() {
                shards[shard] = try SafeTensorsFile(url: folder.appendingPathComponent(shard))
            }
            for (name, shard) in map { files[name] = shards[shard] }
        } else {
            let single = folder.appendingPathComponent("model.safetensors")
            guard FileManager.default.fileExists(atPath: single.path) else {
                throw ModelError("\(folder.path): no model.safetensors or model.safetensors.index.json (only safetensors checkpoints are read)")
            }
            let file = try SafeTensorsFile(url: single)
            for name in file.tensorNames { files[name] = file }
        }
        return WeightSource(origin: .checkpoint(files, folder: folder.path, names: names), dtype: dtype,
                            weightDType: weightDType, device: device)
    }

    /// Normal(0, std) weights from `generator` (the built-in model's initialisation).
    public static func random(generator: Generator, std: Double = 0.02, dtype: DType, weightDType: DType? = nil,
                              device: Device) -> WeightSource {
        WeightSource(origin: .random(generator, std: std), dtype: dtype, weightDType: weightDType, device: device)
    }

    /// The weight matrix `name` of `shape`, in `weightDType`.
    public func matrix(_ name: String, shape: [Int]) throws -> Tensor {
        try tensor(name, shape: shape, fill: .normal, dtype: weightDType)
    }

    /// The tensor `name` of `shape`; `fill` chooses the random initialisation (weights
    /// normal, norms ones, biases zeros).
    public func tensor(_ name: String, shape: [Int], fill: Fill = .normal) throws -> Tensor {
        try tensor(name, shape: shape, fill: fill, dtype: dtype)
    }

    private func tensor(_ name: String, shape: [Int], fill: Fill, dtype: DType) throws -> Tensor {
        requested.insert(name)
        switch origin {
        case .checkpoint(let files, _, let names):
            let stored = names.checkpointName(name)
            guard let file = files[stored] else {
                problems.append("missing \(stored) \(shape)")
                return try Tensor.zeros(shape, dtype: dtype, device: device)
            }
            let info = try file.info(stored)
            guard info.shape == shape else {
                problems.append("\(stored) has shape \(info.shape), the configuration needs \(shape)")
                return try Tensor.zeros(shape, dtype: dtype, device: device)
            }
            return try file.tensor(stored, device: device, dtype: dtype)
        case .random(let generator, let std):
            switch fill {
            case .normal: return try (Tensor.randn(shape, generator: generator) * std).to(device, dtype: dtype)
            case .ones: return try Tensor.ones(shape, dtype: dtype, device: device)
            case .zeros: return try Tensor.zeros(shape, dtype: dtype, device: device)
            }
        }
    }

    public enum Fill: Sendable { case normal, ones, zeros }

    /// Throws one error listing every missing or mis-shaped tensor.
    public func finish() throws {
        guard case .checkpoint(_, let folder, _) = origin, !problems.isEmpty else { return }
        let shown = problems.prefix(20).joined(separator: "\n  ")
        let more = problems.count > 20 ? "\n  ... and \(problems.count - 20) more" : ""
        throw ModelError("\(folder): the checkpoint does not match the configuration:\n  \(shown)\(more)")
    }
}
