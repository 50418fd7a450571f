import Engine
import Foundation

/// A linear map from the last hidden state to one number per position: PPO's critic (value
/// of every prefix) and a reward model's score (read at the last real token). Stored as
/// `score.weight` [1, hidden] and `score.bias` [1], the names of transformers'
/// sequence-classification heads.
public final class ScalarHead {
    public let weight: Tensor
    public let bias: Tensor

    /// A fresh head: small normal weights (std 1/√(hidden+1)), zero bias, trainable.
    public init(hidden: Int, generator: Generator, dtype: DType = .float32, device: Device = .cpu) throws {
        weight = try (Tensor.randn([1, hidden], generator: generator) / Double(hidden + 1).squareRoot())
            .to(device, dtype: dtype).requiringGrad()
        bias = try Tensor.zeros([1], dtype: dtype, device: device).requiringGrad()
    }

    /// A head that values every state at 0 (a critic's start: the first advantages are then
    /// the rewards' own, not a random projection of the states at the final norm's scale).
    public static func zeros(hidden: Int, dtype: DType = .float32, device: Device = .cpu) throws -> ScalarHead {
        try ScalarHead(weight: Tensor.zeros([1, hidden], dtype: dtype, device: device).requiringGrad(),
                       bias: Tensor.zeros([1], dtype: dtype, device: device).requiringGrad())
    }

    private init(weight: Tensor, bias: Tensor) {
        self.weight = weight
        self.bias = bias
    }

    /// Loads a head written by `save(to:)` (or a transformers classifier with one label).
    public init(contentsOf url: URL, dtype: DType = .float32, device: Device = .cpu) throws {
        let file = try SafeTensorsFile(url: url)
        let loadedWeight = try file.tensor("score.weight", device: device, dtype: dtype)
        guard loadedWeight.rank == 2, loadedWeight.size(0) == 1 else {
            throw ModelError("\(url.path): score.weight has shape \(loadedWeight.shape); a scalar head needs [1, hidden]")
        }
        weight = try loadedWeight.requiringGrad()
        bias = try (file.tensorNames.contains("score.bias") ? file.tensor("score.bias", device: device, dtype: dtype)
            : Tensor.zeros([1], dtype: dtype, device: device)).requiringGrad()
    }

    public var parameters: [Tensor] { [weight, bias] }

    /// hidden [..., H] → values [...].
    public func callAsFunction(_ hidden: Tensor) throws -> Tensor {
        try NN.linear(hidden, weight: weight, bias: bias).squeeze(-1)
    }

    /// The value at each row's last real token: hidden [B, L, H], lastIndex [B] (int64) → [B].
    public func atLastToken(_ hidden: Tensor, lastIndex: Tensor) throws -> Tensor {
        let index = try lastIndex.reshape([-1, 1, 1]).expand([hidden.size(0), 1, hidden.size(2)])
        return try self(hidden.gather(dim: 1, index: index).squeeze(1))
    }

    public func save(to url: URL) throws {
        try SafeTensorsWriter.write(["score.weight": weight, "score.bias": bias], metadata: ["format": "pt"], to: url)
    }
}
