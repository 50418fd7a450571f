import Testing
@testable import Core
import Engine

@Suite struct WorldEnvironmentTests {
    @Test func torchrunVariablesGiveTheRank() throws {
        let world = try WorldEnvironment.from(["RANK": "3", "WORLD_SIZE": "8", "LOCAL_RANK": "1",
                                               "MASTER_ADDR": "10.0.0.2", "MASTER_PORT": "29500"])
        #expect(world == WorldEnvironment(rank: 3, worldSize: 8, localRank: 1, masterAddress: "10.0.0.2", masterPort: 29500))
    }

    @Test func oneProcessNeedsNoVariables() throws {
        #expect(try WorldEnvironment.from([:]) == nil)
        #expect(try WorldEnvironment.from(["WORLD_SIZE": "1", "RANK": "0"]) == nil)
    }

    @Test func localRankAndAddressHaveDefaults() throws {
        let world = try #require(try WorldEnvironment.from(["RANK": "1", "WORLD_SIZE": "2", "MASTER_PORT": "1234"]))
        #expect(world.localRank == 1 && world.masterAddress == "127.0.0.1")
    }

    @Test(arguments: [
        (["WORLD_SIZE": "2", "MASTER_PORT": "1"], "RANK is not"),
        (["WORLD_SIZE": "2", "RANK": "2", "MASTER_PORT": "1"], "below WORLD_SIZE"),
        (["WORLD_SIZE": "two", "RANK": "0"], "WORLD_SIZE='two'"),
        (["WORLD_SIZE": "2", "RANK": "0"], "needs MASTER_PORT"),
        (["WORLD_SIZE": "2", "RANK": "0", "MASTER_PORT": "70000"], "not a TCP port"),
    ])
    func badVariablesAreNamed(environment: [String: String], message: String) throws {
        let error = #expect(throws: DistributedError.self) { try WorldEnvironment.from(environment) }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
    }

    @Test func variablesRoundTrip() throws {
        let world = WorldEnvironment(rank: 1, worldSize: 4, localRank: 1, masterAddress: "127.0.0.1", masterPort: 4567)
        #expect(try WorldEnvironment.from(world.variables) == world)
    }

    @Test func workersGetTheCommandWithoutNproc() {
        #expect(WorkerLauncher.workerArguments(["--nproc", "2", "--algorithm", "grpo", "--nproc=3", "--steps", "4"])
            == ["--algorithm", "grpo", "--steps", "4"])
    }

    @Test func exitStatusesAreReadLikeAShell() {
        #expect(WorkerLauncher.exitCode(0) == 0)
        #expect(WorkerLauncher.exitCode(3 << 8) == 3)
        #expect(WorkerLauncher.exitCode(9) == 137)
        #expect(WorkerLauncher.describe(9) == "was killed by signal 9")
        #expect(WorkerLauncher.describe(1 << 8) == "exited with status 1")
    }

    /// Each rank on CUDA takes the GPU of its local rank unless the device names one, and NCCL
    /// unless told gloo; on CPU it is Gloo, and NCCL is refused there.
    @Test func ranksArePlacedOnTheirGPUs() throws {
        #expect(try RankPlacement.resolve(device: "cpu", localRank: 3, backend: nil)
            == RankPlacement(device: "cpu", cudaDevice: nil, backend: "gloo"))
        #expect(try RankPlacement.resolve(device: "cuda", localRank: 3, backend: nil)
            == RankPlacement(device: "cuda:3", cudaDevice: 3, backend: "nccl"))
        #expect(try RankPlacement.resolve(device: "cuda:0", localRank: 3, backend: nil)
            == RankPlacement(device: "cuda:0", cudaDevice: 0, backend: "nccl"))
        #expect(try RankPlacement.resolve(device: "cuda", localRank: 1, backend: "gloo")
            == RankPlacement(device: "cuda:1", cudaDevice: 1, backend: "gloo"))
        let cpuNCCL = #expect(throws: DistributedError.self) { try RankPlacement.resolve(device: "cpu", localRank: 0, backend: "nccl") }
        #expect(cpuNCCL?.description.contains("--device cuda") == true)
        #expect(throws: DistributedError.self) { try RankPlacement.resolve(device: "cuda", localRank: 0, backend: "mpi") }
    }
}
