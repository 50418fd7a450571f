import Foundation
import Glibc

/// Replaces files so that a crash or power loss leaves either the old file or the complete new one, never a torn
/// write. Used for weights, checkpoints and reports.
///
/// The content goes to a temporary file in the destination's directory (so `rename(2)` stays within one file system
/// and is atomic), is flushed with `fsync`, renamed over the destination, and then the directory is flushed so the
/// rename itself is durable. Replacing by rename rather than rewriting in place also keeps existing memory mappings
/// of the old file (see `SafeTensorsFile`) valid: they keep the old inode alive instead of seeing it truncated.
public enum AtomicFile {
    /// Atomically replaces the file at `url` with `data`.
    public static func write(_ data: some DataProtocol, to url: URL) throws {
        try write(to: url) { sink in try sink.write(data) }
    }

    /// Atomically replaces the file at `url` with whatever `body` writes to the sink, streamed without first
    /// assembling the whole content in memory. If `body` throws, the destination is left untouched.
    public static func write(to url: URL, _ body: (Sink) throws -> Void) throws {
        guard url.isFileURL else {
            throw AtomicFileError(path: url.absoluteString, step: "resolve the destination", reason: "not a file URL")
        }
        let destination = url.path
        let directory = url.deletingLastPathComponent().path
        let unique = "\(getpid())-\(UInt32.random(in: .min ... .max))"
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-" + unique

        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw AtomicFileError(
                path: destination, step: "create the temporary file \(temporary)", reason: errnoText())
        }
        var renamed = false
        defer { if !renamed { unlink(temporary) } }
        do {
            try body(Sink(fd: fd, path: destination))
            guard fsync(fd) == 0 else {
                throw AtomicFileError(path: destination, step: "fsync the temporary file", reason: errnoText())
            }
        } catch {
            close(fd)
            throw error
        }
        // close can report deferred write errors (e.g. on network file systems), so it is checked too.
        guard close(fd) == 0 else {
            throw AtomicFileError(path: destination, step: "close the temporary file", reason: errnoText())
        }
        guard rename(temporary, destination) == 0 else {
            throw AtomicFileError(path: destination, step: "rename the temporary file into place", reason: errnoText())
        }
        renamed = true

        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryFD >= 0 else {
            throw AtomicFileError(path: destination, step: "open the directory to fsync it", reason: errnoText())
        }
        defer { close(directoryFD) }
        guard fsync(directoryFD) == 0 else {
            throw AtomicFileError(path: destination, step: "fsync the directory", reason: errnoText())
        }
    }

    /// Where `write(to:_:)` callers put the file's content, in order.
    public struct Sink {
        fileprivate let fd: Int32
        fileprivate let path: String

        public func write(_ bytes: UnsafeRawBufferPointer) throws {
            var remaining = bytes
            while let base = remaining.baseAddress, !remaining.isEmpty {
                let written = Glibc.write(fd, base, remaining.count)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw AtomicFileError(path: path, step: "write the temporary file", reason: errnoText())
                }
                remaining = UnsafeRawBufferPointer(rebasing: remaining[written...])
            }
        }

        public func write(_ data: some DataProtocol) throws {
            for region in data.regions {
                try region.withUnsafeBytes { try write($0) }
            }
        }
    }
}

/// A failed atomic write; the destination file still has its previous content unless `step` is the final directory
/// fsync.
public struct AtomicFileError: Error, CustomStringConvertible {
    public let path: String
    public let step: String
    public let reason: String

    public var description: String {
        "cannot write '\(path)' atomically: could not \(step): \(reason). "
            + "Check that the directory exists and is writable and that the disk is not full."
    }
}

/// The current `errno` as text, e.g. "No such file or directory (errno 2)".
func errnoText() -> String {
    let code = errno
    return "\(String(cString: strerror(code))) (errno \(code))"
}
