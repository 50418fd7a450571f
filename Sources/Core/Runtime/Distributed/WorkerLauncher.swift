import Engine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `rlrun --nproc N ...`: starts N copies of this command on this machine as the ranks of
/// one run (RANK, WORLD_SIZE, ... set as torchrun would), forwards Ctrl-C to them, and when
/// one fails stops the rest, so a dead rank never leaves the others hanging.
public struct WorkerLauncher {
    public let processes: Int
    /// The worker command line: this executable's arguments without --nproc.
    public let arguments: [String]
    /// Seconds the others get to stop by themselves after one failed, before they are killed.
    public var grace: Double = 30
    public var log: @Sendable (String) -> Void

    public init(processes: Int, arguments: [String], log: @escaping @Sendable (String) -> Void) {
        self.processes = processes
        self.arguments = arguments
        self.log = log
    }

    /// The arguments after removing `--nproc N` / `--nproc=N`.
    public static func workerArguments(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var skipNext = false
        for argument in arguments {
            if skipNext { skipNext = false; continue }
            if argument == "--nproc" { skipNext = true; continue }
            if argument.hasPrefix("--nproc=") { continue }
            result.append(argument)
        }
        return result
    }

    /// Runs the workers to the end; returns the exit status for this process.
    public func run() throws -> Int32 {
        let port = try ProcessGroup.freePort()
        var environment = ProcessInfo.processInfo.environment
        // Each worker gets its share of the cores: libtorch's OpenMP threads spin, and N
        // processes each using every core run several times slower than one.
        if environment["OMP_NUM_THREADS"] == nil {
            environment["OMP_NUM_THREADS"] = "\(max(1, ProcessInfo.processInfo.activeProcessorCount / processes))"
        }
        let executable = try Self.executablePath()
        var workers: [pid_t: Int] = [:]
        for rank in 0..<processes {
            let world = WorldEnvironment(rank: rank, worldSize: processes, localRank: rank, masterAddress: "127.0.0.1", masterPort: port)
            let pid = try Self.spawn(executable, arguments, environment: environment.merging(world.variables) { $1 })
            workers[pid] = rank
        }
        log("[DIST] \(processes) processes on 127.0.0.1:\(port), \(environment["OMP_NUM_THREADS"]!) thread(s) each")
        let forwarding = forwardInterrupts(to: Array(workers.keys))
        defer { forwarding.forEach { $0.cancel() } }

        var status: Int32 = 0
        var failedAt: Date?
        while !workers.isEmpty {
            var raw: Int32 = 0
            let pid = waitpid(-1, &raw, failedAt == nil ? 0 : WNOHANG)
            if pid > 0, let rank = workers.removeValue(forKey: pid) {
                let code = Self.exitCode(raw)
                if code != 0 && status == 0 {
                    status = code
                    failedAt = Date()
                    log("[DIST] rank \(rank) \(Self.describe(raw)); stopping the other ranks")
                    for other in workers.keys { kill(other, SIGTERM) }
                }
            } else if let failedAt, Date().timeIntervalSince(failedAt) > grace {
                for other in workers.keys { kill(other, SIGKILL) }
            } else if pid <= 0 {
                usleep(100_000)
            }
        }
        return status
    }

    /// SIGINT / SIGTERM reach the launcher only (the workers have their own process groups,
    /// so a terminal's Ctrl-C is not delivered twice); each is passed on to every worker.
    func forwardInterrupts(to pids: [pid_t]) -> [DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { for pid in pids { kill(pid, number) } }
            source.resume()
            return source
        }
    }

    static func executablePath() throws -> String {
        let path = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        return path
    }

    static func spawn(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, nil, &attributes, argv, envp)
        guard result == 0 else { throw DistributedError("could not start a worker from \(executable): \(String(cString: strerror(result)))") }
        return pid
    }

    static func exitCode(_ raw: Int32) -> Int32 {
        let signalled = raw & 0x7f
        return signalled == 0 ? (raw >> 8) & 0xff : 128 + signalled
    }

    static func describe(_ raw: Int32) -> String {
        let signalled = raw & 0x7f
        return signalled == 0 ? "exited with status \((raw >> 8) & 0xff)" : "was killed by signal \(signalled)"
    }
}
