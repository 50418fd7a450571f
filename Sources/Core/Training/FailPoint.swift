import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Named places where a crash test can kill the process for real (SIGKILL, nothing flushed
/// or cleaned up): `RLRUN_FAILPOINT=NAME` kills at the first pass, `NAME:K` at the K-th.
/// Unset, a fail point costs one dictionary look-up.
enum FailPoint {
    static let setting: (name: Substring, pass: Int)? = {
        guard let text = ProcessInfo.processInfo.environment["RLRUN_FAILPOINT"], !text.isEmpty else { return nil }
        let parts = text.split(separator: ":", maxSplits: 1)
        return (parts[0], parts.count > 1 ? Int(parts[1]) ?? 1 : 1)
    }()
    nonisolated(unsafe) static var passes: [String: Int] = [:]

    static func hit(_ name: String) {
        guard let setting, setting.name == name else { return }
        passes[name, default: 0] += 1
        if passes[name] == setting.pass { kill(getpid(), SIGKILL) }
    }
}
