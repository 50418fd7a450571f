import Foundation
import RLRunSDK

/// Why one line of a JSONL file cannot become a record; the reader adds file and line.
public struct MalformedRecord: Error {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// The records of one JSONL file and the lines left out as malformed.
public struct JSONLinesFile<Record> {
    public let records: [Record]
    /// 1-based numbers of the malformed lines that were skipped.
    public let skippedLines: [Int]
}

/// Reads JSONL: one JSON object a line, blank lines ignored. A malformed line (not JSON, not
/// an object, or refused by `parse`) stops the read with its file and line number, or, when
/// the user asked for it with `skip_invalid`, is left out and counted.
public enum JSONLines {
    public static func read<Record>(_ path: String, skipInvalid: Bool,
                                    parse: ([String: JSONValue]) throws -> Record) throws -> JSONLinesFile<Record> {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PluginError(.config, "cannot read \(path): \(error.localizedDescription)")
        }
        var records: [Record] = []
        var skipped: [Int] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard line.contains(where: { !$0.isWhitespace }) else { continue }
            do {
                guard let object = try JSONValue(parsing: String(line)).objectValue else {
                    throw MalformedRecord("expected a JSON object")
                }
                records.append(try parse(object))
            } catch {
                guard skipInvalid else {
                    throw PluginError(.input, "\(path) line \(offset + 1): \(reason(error)). Fix the line, or set the option skip_invalid to true to skip malformed lines")
                }
                skipped.append(offset + 1)
            }
        }
        return JSONLinesFile(records: records, skippedLines: skipped)
    }

    private static func reason(_ error: Error) -> String {
        switch error {
        case let malformed as MalformedRecord: malformed.reason
        case let plugin as PluginError: plugin.message
        default: "\(error)"
        }
    }

    /// A field that must hold text. Numbers are accepted and written without a fraction when
    /// whole (a reference answer `72` reads as "72").
    public static func text(_ record: [String: JSONValue], _ field: String) throws -> String {
        guard let value = record[field] else {
            let fields = record.keys.sorted().joined(separator: ", ")
            throw MalformedRecord("no field '\(field)' (the line has: \(fields.isEmpty ? "no fields" : fields))")
        }
        guard let text = plainText(value) else {
            throw MalformedRecord("field '\(field)' is \(value.typeName) \(value.jsonText.prefix(40)), expected a string")
        }
        return text
    }

    /// Strings as they are, numbers as written by a person (72, not 72.0); nil for others.
    public static func plainText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): text
        case .number: value.intValue.map(String.init) ?? value.jsonText
        default: nil
        }
    }
}
