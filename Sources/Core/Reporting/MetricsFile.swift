import Foundation

/// One value of a metric at a step; NaN where the run recorded null (a gap in a plot).
public struct MetricPoint: Sendable, Equatable {
    public let step: Int
    public let value: Double

    public init(step: Int, value: Double) {
        self.step = step
        self.value = value
    }
}

/// A run's metrics.jsonl: one object per line, numbers or null, read into a series per key.
public struct MetricsFile: Sendable {
    public let url: URL
    /// One dictionary per line in file order, null as NaN; values that are not numbers (an
    /// `alerts` list, say) are left out.
    public let rows: [[String: Double]]

    public init(url: URL, rows: [[String: Double]]) {
        self.url = url
        self.rows = rows
    }

    public static func read(_ url: URL) throws -> MetricsFile {
        let rows = try JSONLines.lines(of: url).map { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.text.utf8)) as? [String: Any] else {
                throw ReportingError(file: url.path, location: "line \(line.number)", message: "not a JSON object: \(line.text.prefix(80))")
            }
            return object.compactMapValues { value -> Double? in
                if value is NSNull { return .nan }
                return (value as? NSNumber)?.doubleValue
            }
        }
        return MetricsFile(url: url, rows: rows)
    }

    /// Every key that appears on some line, sorted.
    public var keys: [String] { Set(rows.flatMap(\.keys)).sorted() }

    /// The key's values by step, from the lines that hold it. A line without `step` counts as
    /// its line index. Where a step appears twice (a resumed run repeats the steps after its last
    /// checkpoint) the later line wins.
    public func series(_ key: String) -> [MetricPoint] {
        var byStep: [Int: Double] = [:]
        for (index, row) in rows.enumerated() {
            if let value = row[key] { byStep[step(of: row, at: index)] = value }
        }
        return byStep.sorted { $0.key < $1.key }.map { MetricPoint(step: $0.key, value: $0.value) }
    }

    /// The highest step recorded; nil for an empty file.
    public var lastStep: Int? { rows.enumerated().map { step(of: $0.element, at: $0.offset) }.max() }

    private func step(of row: [String: Double], at index: Int) -> Int {
        row["step"].flatMap { Int(exactly: $0.rounded()) } ?? index
    }
}
