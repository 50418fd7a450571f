import Foundation

/// A progress bar with ETA and a live metrics line at the bottom of a terminal. Log lines
/// printed through `print(_:)` appear above it; the bar is redrawn after each.
public final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private let output: FileHandle
    private var bar = ""
    private let width = 28

    public init(output: FileHandle = .standardOutput) { self.output = output }

    /// Whether standard output is a terminal (where a bar makes sense).
    public static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 }

    public func print(_ line: String) {
        lock.withLock { write("\r\u{1B}[2K" + line + "\n" + bar) }
    }

    /// Redraws the bar for `step` of `total`, `elapsed` seconds in, with `metrics` after it.
    public func update(step: Int, total: Int, elapsed: Double, metrics: String) {
        let fraction = total > 0 ? min(1, Double(step) / Double(total)) : 1
        let filled = Int((fraction * Double(width)).rounded())
        let eta = step > 0 ? elapsed / Double(step) * Double(max(0, total - step)) : .nan
        let line = "[" + String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled) + "] "
            + "\(step)/\(total) \(Self.duration(elapsed)) elapsed, ETA \(Self.duration(eta))  \(metrics)"
        lock.withLock {
            bar = line
            write("\r\u{1B}[2K" + line)
        }
    }

    /// Clears the bar (at the end of a run).
    public func finish() {
        lock.withLock {
            bar = ""
            write("\r\u{1B}[2K")
        }
    }

    private func write(_ text: String) { output.write(Data(text.utf8)) }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s % 3600 / 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }
}
