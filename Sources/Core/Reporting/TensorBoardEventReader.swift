import Foundation

/// Reads event files back, checking every record's CRCs: the tests' proof that what the writer
/// produced is well framed, and a way to inspect a run's events without TensorBoard.
public enum TensorBoardEventReader {
    public static func read(_ url: URL) throws -> [TensorBoardEvent] {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: url)) } catch {
            throw ReportingError(file: url.path, message: "cannot read: \(error.localizedDescription)")
        }
        return try TFRecord.records(in: bytes, file: url.path).enumerated().map { index, record in
            do { return try TensorBoardEvent(decoding: record) } catch let error as ProtobufError {
                throw ReportingError(file: url.path, location: "record \(index)", message: "malformed Event: \(error.message)")
            }
        }
    }

    /// The event files of a log directory, oldest first (names start with the creation time).
    public static func eventFiles(in directory: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.contains("tfevents") }
            .sorted()
            .map { directory.appendingPathComponent($0) }
    }
}
