import Foundation
import Reporting

/// `rlrun report` as a library call: report.html for one or more run directories.
public enum RunReport {
    /// Checks what ReportBuilder cannot tell apart (a directory that is missing, or is a file),
    /// then writes the page to `output` (default: report.html in the first run directory) and
    /// returns where. Errors are `ReportingError`s: the file, and what is wrong with it.
    public static func write(runDirectories: [String], output: String? = nil, samplesPerRun: Int? = nil) throws -> URL {
        guard !runDirectories.isEmpty else {
            throw ReportingError(file: "report", message: "give at least one run directory, e.g. rlrun report runs/<run>")
        }
        for path in runDirectories {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ReportingError(file: path, message: "no such run directory")
            }
            guard isDirectory.boolValue else {
                throw ReportingError(file: path, message: "is a file; give the run directory that holds metrics.jsonl")
            }
        }
        var builder = ReportBuilder(runDirectories: runDirectories.map { URL(fileURLWithPath: $0) })
        if let samplesPerRun { builder.samplesPerRun = samplesPerRun }
        return try builder.write(to: output.map { URL(fileURLWithPath: $0) })
    }
}
