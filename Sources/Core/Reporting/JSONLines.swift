import Foundation

/// JSON Lines files (one JSON value per line), read with errors that name the file and line.
enum JSONLines {
    /// The non-blank lines with their 1-based numbers.
    static func lines(of url: URL) throws -> [(number: Int, text: Substring)] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ReportingError(file: url.path, message: "cannot read: \(error.localizedDescription)")
        }
        // isNewline also matches "\r\n", a single Character in Swift that splitting on "\n" would miss.
        return text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
            .map { (number: $0.offset + 1, text: $0.element) }
            .filter { !$0.text.allSatisfy(\.isWhitespace) }
    }

    static func decode<T: Decodable>(_ type: T.Type, from url: URL) throws -> [T] {
        let decoder = JSONDecoder()
        return try lines(of: url).map { line in
            do { return try decoder.decode(T.self, from: Data(line.text.utf8)) } catch {
                throw ReportingError(file: url.path, location: "line \(line.number)", message: "not a valid record: \(reason(error))")
            }
        }
    }

    /// DecodingError's description is long and generic; its debug description says which key.
    static func reason(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.dataCorrupted(let context):
            context.codingPath.isEmpty ? context.debugDescription
                : "'\(context.codingPath.map(\.stringValue).joined(separator: "."))': \(context.debugDescription)"
        default: error.localizedDescription
        }
    }
}

/// Appends one JSON object per line, each written through at once so a crash loses at most the
/// record being written.
public final class JSONLinesWriter<Record: Encodable> {
    public let url: URL
    private var handle: FileHandle?
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Starts the file afresh, or with `resuming` keeps what is there and appends after it.
    public init(url: URL, resuming: Bool = false) throws {
        if !resuming || !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw ReportingError(file: url.path, message: "cannot create the file")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: url.path) else { throw ReportingError(file: url.path, message: "cannot open for writing") }
        handle.seekToEndOfFile()
        self.url = url
        self.handle = handle
    }

    deinit { try? handle?.close() }

    public func append(_ records: [Record]) throws {
        guard let handle else { throw ReportingError(file: url.path, message: "the file is closed") }
        var data = Data()
        for record in records {
            data.append(try encoder.encode(record))
            data.append(UInt8(ascii: "\n"))
        }
        try handle.write(contentsOf: data)
        try handle.synchronize()
    }

    public func append(_ record: Record) throws { try append([record]) }

    public func close() throws {
        try handle?.close()
        handle = nil
    }
}
