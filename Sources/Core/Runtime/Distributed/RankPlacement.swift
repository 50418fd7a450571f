import Engine

/// Where one rank of a data-parallel run computes, and which backend reduces its CUDA tensors.
public struct RankPlacement: Equatable, Sendable {
    /// The run's device for this rank ("cpu", "cuda:N").
    public var device: String
    /// The GPU NCCL binds to (nil on CPU).
    public var cudaDevice: Int?
    /// "gloo" or "nccl".
    public var backend: String

    /// The backends a run may ask for.
    public static let backends = ["gloo", "nccl"]

    /// Refuses a backend rlrun does not have.
    public static func check(backend: String?) throws {
        if let backend, !backends.contains(backend) {
            throw DistributedError("--dist-backend is \(backends.joined(separator: " or ")), not '\(backend)'")
        }
    }

    /// On CUDA each rank drives the GPU of its local rank, as torchrun's workers do, unless the
    /// device names one (e.g. cuda:0 under a per-rank CUDA_VISIBLE_DEVICES); NCCL then reduces the
    /// CUDA tensors unless `backend` says gloo.
    public static func resolve(device: String, localRank: Int, backend: String?) throws -> RankPlacement {
        try check(backend: backend)
        guard case .cuda(let index)? = try? Device(parsing: device) else {
            if backend == "nccl" { throw DistributedError("--dist-backend nccl reduces CUDA tensors: give --device cuda too") }
            return RankPlacement(device: device, cudaDevice: nil, backend: "gloo")
        }
        let gpu = device == "cuda" ? localRank : index
        return RankPlacement(device: "cuda:\(gpu)", cudaDevice: gpu, backend: backend ?? "nccl")
    }
}
