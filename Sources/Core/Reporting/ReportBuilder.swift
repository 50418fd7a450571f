import Foundation

/// Builds report.html from one or more run directories: one self-contained page (inline CSS
/// and SVG, no scripts, nothing fetched) with several runs overlaid in the same plots.
public struct ReportBuilder {
    public var runDirectories: [URL]
    /// Sample completions shown per run, the latest ones.
    public var samplesPerRun = 20

    public init(runDirectories: [URL]) {
        self.runDirectories = runDirectories
    }

    /// The runs, named after their directories (made unique where two share a name).
    public func loadRuns() throws -> [RunRecord] {
        guard !runDirectories.isEmpty else { throw ReportingError(file: "report", message: "no run directory given") }
        var runs = try runDirectories.map(RunRecord.load)
        var seen: [String: Int] = [:]
        for index in runs.indices {
            let name = runs[index].name
            seen[name, default: 0] += 1
            if seen[name]! > 1 { runs[index].name = "\(name) (\(seen[name]!))" }
        }
        return runs
    }

    public func html(generatedAt: Date = Date()) throws -> String {
        ReportPage.html(runs: try loadRuns(), samplesPerRun: samplesPerRun, generatedAt: generatedAt)
    }

    /// Writes the report, by default as report.html in the first run directory, and returns
    /// where. The page goes to a temporary file beside it and is renamed into place, so a
    /// browser never sees half a report.
    @discardableResult
    public func write(to output: URL? = nil, generatedAt: Date = Date()) throws -> URL {
        guard let destination = output ?? runDirectories.first?.appendingPathComponent("report.html") else {
            throw ReportingError(file: "report", message: "no run directory given")
        }
        let page = try html(generatedAt: generatedAt)
        let temporary = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).tmp")
        do { try Data(page.utf8).write(to: temporary) } catch {
            throw ReportingError(file: destination.path, message: "cannot write the report: \(error.localizedDescription)")
        }
        // rename(2) within one directory is atomic and replaces an older report.
        guard rename(temporary.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw ReportingError(file: destination.path, message: "cannot move the report into place: \(reason)")
        }
        return destination
    }
}
