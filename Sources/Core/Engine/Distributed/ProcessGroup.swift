import Foundation
import RLRunABI

/// The ranks of a data-parallel run, on libtorch's distributed engine (c10d): a TCP store
/// served by rank 0 for the rendezvous, Gloo for the collectives, and with backend "nccl"
/// NCCL for those over CUDA tensors (Gloo keeps the CPU ones). Every rank must call the
/// same collectives in the same order; each fails (never hangs) after `timeout`, and at once
/// when a peer's connection closes.
public final class ProcessGroup: @unchecked Sendable {
    let handle: rt_group
    public let rank: Int
    public let worldSize: Int
    public let timeout: Double
    /// Bytes per flat bucket of a collective over many tensors (DDP's default is 25 MB).
    public var bucketBytes = 25 << 20

    public enum ReduceOp: Int32 { case sum = 0, max = 1, min = 2 }

    /// Connects to the other ranks at host:port (rank 0 listens there); `timeout` in seconds.
    /// - cudaDevice: this rank's GPU, which backend "nccl" needs (each rank its own: the local rank).
    public init(backend: String = "gloo", host: String, port: Int, rank: Int, worldSize: Int, cudaDevice: Int? = nil,
                timeout: Double = 300) throws {
        try Engine.prepare(.cpu)
        guard let handle = api.pointee.group_new_on_device(backend, host, Int32(port), Int32(rank), Int32(worldSize),
                                                           Int32(cudaDevice ?? -1), Int64(timeout * 1000)) else {
            let why = String(cString: api.pointee.last_error()!)
            throw DistributedError("rank \(rank) of \(worldSize) could not join the group at \(host):\(port) (\(why))"
                + (why.contains("NCCL") ? "" : "; check MASTER_ADDR/MASTER_PORT and that every rank was started"))
        }
        self.handle = handle
        self.rank = rank
        self.worldSize = worldSize
        self.timeout = timeout
    }

    deinit { api.pointee.group_free(handle) }

    /// In place on every rank: the element-wise sum (or max, min) over the ranks.
    public func allReduce(_ tensors: [Tensor], _ op: ReduceOp = .sum) throws {
        try withHandles(tensors) { handles, count in
            try collective(api.pointee.group_allreduce(handle, handles, count, op.rawValue, Int64(bucketBytes)), "all-reduce")
        }
    }

    /// Sums the parameters' gradients over the ranks (bucketed).
    public func allReduceGradients(_ parameters: [Tensor]) throws {
        try withHandles(parameters) { handles, count in
            try collective(api.pointee.group_allreduce_grads(handle, handles, count, Int64(bucketBytes)), "gradient all-reduce")
        }
    }

    /// In place: every rank receives `root`'s values.
    public func broadcast(_ tensors: [Tensor], root: Int = 0) throws {
        try withHandles(tensors) { handles, count in
            try collective(api.pointee.group_broadcast(handle, handles, count, Int32(root), Int64(bucketBytes)), "broadcast")
        }
    }

    public func barrier() throws { try collective(api.pointee.group_barrier(handle), "barrier") }

    /// Sets `key` in the rendezvous store (a one-off signal to the other ranks).
    public func signal(_ key: String) throws {
        try collective(api.pointee.group_store_set(handle, key, [1], 1), "store set '\(key)'")
    }

    /// Waits up to `timeout` seconds for another rank's `signal(key)`.
    public func wait(for key: String, timeout: Double) throws {
        try collective(api.pointee.group_store_wait(handle, key, Int64(timeout * 1000)), "waiting for '\(key)'")
    }

    /// Sums of plain numbers over the ranks (float64, so counts stay exact).
    public func sum(_ values: [Double]) throws -> [Double] {
        try reduce(values, .sum)
    }

    public func reduce(_ values: [Double], _ op: ReduceOp) throws -> [Double] {
        guard !values.isEmpty else { return [] }
        let tensor = try Tensor(values)
        try allReduce([tensor], op)
        return try tensor.toArray(Double.self)
    }

    /// Every rank's bytes, in rank order.
    public func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] {
        let longest = Int(try reduce([Double(bytes.count)], .max)[0])
        var slots = [Double](repeating: 0, count: worldSize * (longest + 1))
        slots[rank * (longest + 1)] = Double(bytes.count)
        for (i, byte) in bytes.enumerated() { slots[rank * (longest + 1) + 1 + i] = Double(byte) }
        let gathered = try sum(slots)
        return (0..<worldSize).map { r in
            let base = r * (longest + 1)
            return gathered[(base + 1)..<(base + 1 + Int(gathered[base]))].map { UInt8($0) }
        }
    }

    private func collective(_ status: Int32, _ what: String) throws {
        guard status == 0 else {
            throw DistributedError("rank \(rank) of \(worldSize): \(what) failed: \(String(cString: api.pointee.last_error()!)); "
                + "another rank has probably stopped (see its output) or did not answer within \(Int(timeout)) s")
        }
    }
}

/// A rank could not join the group, or a collective failed (a peer died or timed out).
public struct DistributedError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
