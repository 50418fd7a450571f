import Foundation
import Testing
@testable import Engine

/// The NCCL backend library that scripts/bootstrap-nccl.sh builds (or RLRUN_NCCL_BACKEND names).
private let ncclLibraryBuilt: Bool = {
    let explicit = ProcessInfo.processInfo.environment["RLRUN_NCCL_BACKEND"]
    let built = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".deps/nccl/librlrun_nccl.so").path
    return FileManager.default.fileExists(atPath: explicit ?? built)
}()

/// NCCL reduces the CUDA tensors of a group, Gloo its CPU tensors (PyTorch's "cpu:gloo,cuda:nccl").
@Suite(.serialized) struct NCCLBackendTests {
    /// Without a usable GPU the backend is refused before the rendezvous, not after the timeout,
    /// and saying why. (Trying to load libtorch_cuda.so from a cold disk took 13 s once.)
    @Test(.enabled(if: Engine.cudaDeviceCount == 0, "a GPU is visible: the refusal is for machines without one"))
    func withoutCUDAItIsRefusedAtOnce() throws {
        let started = Date()
        let error = #expect(throws: DistributedError.self) {
            try ProcessGroup(backend: "nccl", host: "127.0.0.1", port: try ProcessGroup.freePort(), rank: 0, worldSize: 2,
                             cudaDevice: 0, timeout: 600)
        }
        #expect(error?.description.contains("the NCCL backend needs CUDA") == true, "\(String(describing: error))")
        #expect(Date().timeIntervalSince(started) < 120)
    }

    @Test func itNeedsTheRanksDevice() throws {
        let error = #expect(throws: DistributedError.self) {
            try ProcessGroup(backend: "nccl", host: "127.0.0.1", port: try ProcessGroup.freePort(), rank: 0, worldSize: 1)
        }
        #expect(error?.description.contains("needs the CUDA device of this rank") == true)
    }

    /// One rank on one GPU: NCCL sums the CUDA tensor, Gloo the CPU one, and the gradients (on
    /// the GPU) go through NCCL too.
    @Test(.enabled(if: ncclLibraryBuilt, "needs scripts/bootstrap-nccl.sh"),
          .enabled(if: Engine.cudaDeviceCount >= 1, "needs a CUDA GPU"))
    func oneRankReducesOnItsGPU() throws {
        let group = try ProcessGroup(backend: "nccl", host: "127.0.0.1", port: try ProcessGroup.freePort(), rank: 0, worldSize: 1,
                                     cudaDevice: 0, timeout: 60)
        let onGPU = try Tensor([1, 2, 3] as [Float]).to(.cuda(0))
        let onCPU = try Tensor([4, 5] as [Float])
        try group.allReduce([onGPU, onCPU])
        #expect(try onGPU.to(.cpu).toArray(Float.self) == [1, 2, 3])
        #expect(try onCPU.toArray(Float.self) == [4, 5])
        #expect(try group.sum([1.5]) == [1.5])
    }

    /// Two ranks, each on its own GPU: NCCL sums across them.
    @Test(.enabled(if: ncclLibraryBuilt, "needs scripts/bootstrap-nccl.sh"),
          .enabled(if: Engine.cudaDeviceCount >= 2, "needs two CUDA GPUs"))
    func twoRanksSumOnTheirGPUs() throws {
        let sums = try onRanks(2, backend: "nccl") { group in
            let group = group!
            let values = try Tensor([Float(group.rank + 1), 10] as [Float]).to(.cuda(group.rank))
            try group.allReduce([values])
            return try values.to(.cpu).toArray(Float.self)
        }
        #expect(sums == [[3, 20], [3, 20]])
    }
}
