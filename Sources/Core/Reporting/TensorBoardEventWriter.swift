import Foundation

/// Writes a TensorBoard event file (`events.out.tfevents.<unix-seconds>.<hostname>`) in a log
/// directory, so `tensorboard --logdir` shows a run's scalars while it trains. Each record is
/// written to the file as soon as it is added, so a crash loses nothing already added.
public final class TensorBoardEventWriter {
    public let url: URL
    private var handle: FileHandle?

    /// Creates the directory if needed and a new event file in it (never reusing an existing one,
    /// so a resumed run adds a file beside the earlier one, as TensorFlow's writer does).
    public init(logDirectory: URL, startTime: Date = Date(), hostname: String = ProcessInfo.processInfo.hostName) throws {
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        let base = "events.out.tfevents.\(Int(startTime.timeIntervalSince1970)).\(hostname)"
        var url = logDirectory.appendingPathComponent(base)
        var suffix = 1
        while FileManager.default.fileExists(atPath: url.path) {
            url = logDirectory.appendingPathComponent("\(base).\(suffix)")
            suffix += 1
        }
        guard FileManager.default.createFile(atPath: url.path, contents: nil), let handle = FileHandle(forWritingAtPath: url.path) else {
            throw ReportingError(file: url.path, message: "cannot create the event file")
        }
        self.url = url
        self.handle = handle
        try write(TensorBoardEvent(wallTime: startTime.timeIntervalSince1970, step: 0, fileVersion: "brain.Event:2"))
    }

    deinit { try? handle?.close() }

    /// One event holding every scalar (NaN and infinities are written as they are; TensorBoard
    /// shows them as such).
    public func add(scalars: [String: Double], step: Int, wallTime: Double = Date().timeIntervalSince1970) throws {
        try write(TensorBoardEvent(wallTime: wallTime, step: step, scalars: scalars))
    }

    /// Text for TensorBoard's Text tab (markdown), e.g. a sample completion.
    public func add(texts: [String: String], step: Int, wallTime: Double = Date().timeIntervalSince1970) throws {
        try write(TensorBoardEvent(wallTime: wallTime, step: step, texts: texts))
    }

    public func close() throws {
        try handle?.close()
        handle = nil
    }

    private func write(_ event: TensorBoardEvent) throws {
        guard let handle else { throw ReportingError(file: url.path, message: "the event file is closed") }
        try handle.write(contentsOf: TFRecord.frame(event.encoded))
        try handle.synchronize()
    }
}
