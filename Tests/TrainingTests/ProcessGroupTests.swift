import Foundation
import Testing
@testable import Engine

/// One multi-rank run at a time in this test process: suites run in parallel, and two runs at
/// once (one of them with a rank that fails on purpose) once crashed the process in Gloo; a
/// free port found by one run could also be taken by another before its store binds it.
private let oneRunOfRanksAtATime = NSLock()

/// c10d's flight recorder is one per process and meant for one rank per process: it files a
/// new group's status before taking its lock, so two ranks' first collectives at once in this
/// process corrupted its map (signal 11 in std::_Rb_tree_insert_and_rebalance, under
/// ProcessGroupGloo::enqueue). Off before the first group is made.
private let flightRecorderOff: Void = { setenv("TORCH_FR_BUFFER_SIZE", "0", 1) }()

/// Runs `body` as each of `ranks` ranks at once, in threads of this process joined on
/// loopback (one rank: no group); returns what each rank returned, in rank order. With
/// backend "nccl" rank r uses GPU r.
func onRanks<T: Sendable>(_ ranks: Int, timeout: Double = 20, backend: String = "gloo",
                          _ body: @escaping @Sendable (ProcessGroup?) throws -> T) throws -> [T] {
    oneRunOfRanksAtATime.lock()
    defer { oneRunOfRanksAtATime.unlock() }
    _ = flightRecorderOff
    let port = try ProcessGroup.freePort()
    let results = Results<T>()
    for rank in 0..<ranks {
        Thread {
            results.set(rank, Result {
                let group = ranks > 1
                    ? try ProcessGroup(backend: backend, host: "127.0.0.1", port: port, rank: rank, worldSize: ranks,
                                       cudaDevice: backend == "nccl" ? rank : nil, timeout: timeout) : nil
                return try body(group)
            })
        }.start()
    }
    return try results.wait(count: ranks)
}

/// Two ranks in two threads of this process, on loopback: c10d's TCP store and Gloo.
@Suite(.serialized) struct ProcessGroupTests {
    func twoRanks<T: Sendable>(_ body: @escaping @Sendable (ProcessGroup) throws -> T) throws -> [T] {
        try onRanks(2) { try body($0!) }
    }

    @Test func allReduceSumsAndTakesMaxima() throws {
        let results = try twoRanks { group -> [[Double]] in
            let a = try Tensor([1.0, 2, 3].map { $0 * Double(group.rank + 1) })
            let b = try Tensor([Float(group.rank)], shape: [1, 1])
            try group.allReduce([a, b])
            let m = try group.reduce([Double(group.rank), -Double(group.rank)], .max)
            return [try a.toArray(Double.self), try b.toArray(Float.self).map(Double.init), m]
        }
        for result in results {
            #expect(result[0] == [3, 6, 9])
            #expect(result[1] == [1])
            #expect(result[2] == [1, 0])
        }
    }

    @Test func smallBucketsGiveTheSameSums() throws {
        let results = try twoRanks { group -> [[Float]] in
            group.bucketBytes = 8  // two floats per bucket: many buckets, in flight together
            let tensors = try (0..<5).map { i in try Tensor((0..<(i + 1)).map { Float($0 + group.rank * 10 + i) }) }
            try group.allReduce(tensors)
            return try tensors.map { try $0.toArray(Float.self) }
        }
        let expected = (0..<5).map { i in (0..<(i + 1)).map { Float(2 * ($0 + i) + 10) } }
        #expect(results[0] == expected && results[1] == expected)
    }

    @Test func gradientsAreSummedAndMissingOnesFilled() throws {
        let results = try twoRanks { group -> [[Float]?] in
            let w = try Tensor([Float(1), 2]).requiringGrad()
            let unused = try Tensor([Float(5)]).requiringGrad()
            // Only rank 0 computes a loss: rank 1 has no gradient yet must end with the sum.
            if group.rank == 0 { try (w * w).sum().backward() }
            try group.allReduceGradients([w, unused])
            return [try w.grad?.toArray(Float.self), try unused.grad?.toArray(Float.self)]
        }
        for result in results {
            #expect(result[0] == [2, 4])
            #expect(result[1] == nil, "a parameter no rank touched keeps no gradient")
        }
    }

    @Test func broadcastCopiesRankZero() throws {
        let results = try twoRanks { group -> [Float] in
            let t = try Tensor([Float(group.rank * 7 + 1), 3]).requiringGrad()
            try group.broadcast([t])
            return try t.toArray(Float.self)
        }
        #expect(results == [[1, 3], [1, 3]])
    }

    @Test func allGatherKeepsRankOrderAndLengths() throws {
        let results = try twoRanks { group in try group.allGather(group.rank == 0 ? [7, 8, 9] : []) }
        #expect(results[0] == [[7, 8, 9], []] && results[1] == [[7, 8, 9], []])
    }

    @Test func aMissingPeerFailsWithinTheTimeout() throws {
        let port = try ProcessGroup.freePort()
        let started = Date()
        #expect(throws: DistributedError.self) {
            try ProcessGroup(host: "127.0.0.1", port: port, rank: 0, worldSize: 2, timeout: 2)
        }
        #expect(Date().timeIntervalSince(started) < 15)
    }

    @Test func unknownBackendIsNamed() throws {
        let error = #expect(throws: DistributedError.self) {
            try ProcessGroup(backend: "mpi", host: "127.0.0.1", port: try ProcessGroup.freePort(), rank: 0, worldSize: 1)
        }
        #expect(error?.description.contains("'mpi'") == true)
    }
}

/// Per-rank results filled by the threads.
final class Results<T: Sendable>: @unchecked Sendable {
    private var values: [Int: Result<T, Error>] = [:]
    private let condition = NSCondition()

    func set(_ rank: Int, _ value: Result<T, Error>) {
        condition.lock()
        values[rank] = value
        condition.broadcast()
        condition.unlock()
    }

    func wait(count: Int) throws -> [T] {
        condition.lock()
        while values.count < count { condition.wait() }
        condition.unlock()
        return try (0..<count).map { try values[$0]!.get() }
    }
}
