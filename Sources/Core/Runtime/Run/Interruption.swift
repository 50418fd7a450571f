import Dispatch
import Foundation

/// Ctrl-C (SIGINT) and SIGTERM during a run: the first asks the run to stop after the current
/// step, with a checkpoint and the report written; the second exits at once.
public final class Interruption: @unchecked Sendable {
    private let lock = NSLock()
    private var signals = 0
    private var sources: [DispatchSourceSignal] = []

    public init() {}

    /// Whether a stop was asked for.
    public var requested: Bool { lock.withLock { signals > 0 } }

    /// Takes over SIGINT and SIGTERM for the rest of the process.
    public func install(log: @escaping @Sendable (String) -> Void) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                let count = lock.withLock { signals += 1; return signals }
                if count == 1 {
                    log("[RUN] Interrupted: finishing this step, then writing a checkpoint and the report (press Ctrl-C again to quit now)")
                } else {
                    log("[RUN] Quit at once; the last complete checkpoint is intact")
                    exit(130)
                }
            }
            source.resume()
            sources.append(source)
        }
    }
}
