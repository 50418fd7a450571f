import Foundation

/// What a run directory holds for the report: metrics.jsonl (required), and samples.jsonl,
/// alerts.jsonl and config.json where the run wrote them.
public struct RunRecord {
    public var name: String
    public let directory: URL
    public let metrics: MetricsFile
    public let samples: [Sample]
    public let alerts: [Alert]
    /// config.json's top-level keys, sorted, with nested values as indented JSON; nil without one.
    public let configuration: [(key: String, value: String)]?

    public init(name: String, directory: URL, metrics: MetricsFile, samples: [Sample] = [], alerts: [Alert] = [],
                configuration: [(key: String, value: String)]? = nil) {
        self.name = name
        self.directory = directory
        self.metrics = metrics
        self.samples = samples
        self.alerts = alerts
        self.configuration = configuration
    }

    /// Named after the directory.
    public static func load(_ directory: URL) throws -> RunRecord {
        let file = { (name: String) in directory.appendingPathComponent(name) }
        let exists = { (name: String) in FileManager.default.fileExists(atPath: file(name).path) }
        guard exists("metrics.jsonl") else {
            throw ReportingError(file: directory.path, message: "no metrics.jsonl: not a run directory, or the run recorded no step")
        }
        return RunRecord(
            name: directory.standardizedFileURL.lastPathComponent, directory: directory,
            metrics: try MetricsFile.read(file("metrics.jsonl")),
            samples: exists("samples.jsonl") ? try SamplesFile.read(file("samples.jsonl")) : [],
            alerts: exists("alerts.jsonl") ? try AlertsFile.read(file("alerts.jsonl")) : [],
            configuration: exists("config.json") ? try configurationRows(file("config.json")) : nil)
    }

    static func configurationRows(_ url: URL) throws -> [(key: String, value: String)] {
        let value: Any
        do { value = try JSONSerialization.jsonObject(with: Data(contentsOf: url), options: .fragmentsAllowed) } catch {
            throw ReportingError(file: url.path, message: "not valid JSON: \(error.localizedDescription)")
        }
        guard let object = value as? [String: Any] else { return [("(configuration)", jsonText(value))] }
        return object.keys.sorted().map { ($0, jsonText(object[$0]!)) }
    }

    private static func jsonText(_ value: Any) -> String {
        if let text = value as? String { return text }
        let options: JSONSerialization.WritingOptions = [.fragmentsAllowed, .sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: options) else { return "\(value)" }
        return String(decoding: data, as: UTF8.self)
    }
}
