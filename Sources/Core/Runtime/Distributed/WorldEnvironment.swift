import Engine
import Foundation

/// Where this process sits in a data-parallel run, from the variables torchrun, Slurm
/// scripts and Kubernetes jobs set: RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT.
public struct WorldEnvironment: Equatable, Sendable {
    public var rank: Int
    public var worldSize: Int
    public var localRank: Int
    public var masterAddress: String
    public var masterPort: Int

    /// nil when WORLD_SIZE is unset or 1 (a single process).
    public static func from(_ environment: [String: String]) throws -> WorldEnvironment? {
        func integer(_ name: String) throws -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= 0 else {
                throw DistributedError("\(name)='\(text)' is not a non-negative integer")
            }
            return value
        }
        guard let worldSize = try integer("WORLD_SIZE"), worldSize > 1 else { return nil }
        guard let rank = try integer("RANK") else { throw DistributedError("WORLD_SIZE=\(worldSize) is set but RANK is not") }
        guard rank < worldSize else { throw DistributedError("RANK=\(rank) must be below WORLD_SIZE=\(worldSize)") }
        guard let port = try integer("MASTER_PORT") else {
            throw DistributedError("WORLD_SIZE=\(worldSize) needs MASTER_PORT (and MASTER_ADDR, the host of rank 0)")
        }
        guard port > 0 && port < 65536 else { throw DistributedError("MASTER_PORT=\(port) is not a TCP port") }
        return WorldEnvironment(rank: rank, worldSize: worldSize, localRank: try integer("LOCAL_RANK") ?? rank,
                                masterAddress: environment["MASTER_ADDR"] ?? "127.0.0.1", masterPort: port)
    }

    /// The variables a worker of a local launch gets.
    public var variables: [String: String] {
        ["RANK": "\(rank)", "WORLD_SIZE": "\(worldSize)", "LOCAL_RANK": "\(localRank)", "LOCAL_WORLD_SIZE": "\(worldSize)",
         "MASTER_ADDR": masterAddress, "MASTER_PORT": "\(masterPort)"]
    }

    /// Joins the other ranks (each waits for the rest up to `timeout` seconds); backend "nccl"
    /// reduces CUDA tensors on `cudaDevice`.
    public func join(backend: String = "gloo", cudaDevice: Int? = nil, timeout: Double) throws -> ProcessGroup {
        try ProcessGroup(backend: backend, host: masterAddress, port: masterPort, rank: rank, worldSize: worldSize,
                         cudaDevice: cudaDevice, timeout: timeout)
    }
}
