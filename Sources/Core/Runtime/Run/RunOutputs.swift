import Foundation
import Reporting
import Training

/// What a run writes as it goes, besides checkpoints: metrics.jsonl, TensorBoard events,
/// samples.jsonl (a few completions every `sampleEvery` steps, to spot reward hacking),
/// alerts.jsonl, and at the end report.html.
final class RunOutputs {
    let directory: URL
    let metrics: MetricsLog
    let tensorBoard: TensorBoardEventWriter
    let samples: SamplesWriter
    let alerts: AlertsWriter
    var monitor = AlertMonitor()
    /// Steps between sample records, and completions recorded each time.
    let sampleEvery: Int
    let samplesPerRecord = 4

    init(directory: URL, resuming: Bool, sampleEvery: Int) throws {
        self.directory = directory
        metrics = try MetricsLog(url: directory.appendingPathComponent("metrics.jsonl"), resuming: resuming)
        tensorBoard = try TensorBoardEventWriter(logDirectory: directory.appendingPathComponent("tensorboard"))
        samples = try SamplesWriter(url: directory.appendingPathComponent("samples.jsonl"), resuming: resuming)
        alerts = try AlertsWriter(url: directory.appendingPathComponent("alerts.jsonl"), resuming: resuming)
        self.sampleEvery = max(1, sampleEvery)
    }

    /// Records one step's metrics everywhere; returns the alerts it raised.
    func record(step: Int, _ values: [String: Double], batch: GeneratedBatch?) throws -> [Alert] {
        let raised = monitor.observe(step: step, metrics: values)
        try alerts.append(raised)
        var withAlerts = values
        withAlerts["alerts"] = Double(raised.count)
        try metrics.append(withAlerts)
        try tensorBoard.add(scalars: withAlerts.filter { $0.key != "step" }, step: step)
        if let batch, step % sampleEvery == 0 || step == 1 { try recordSamples(step: step, batch) }
        return raised
    }

    /// An evaluation line (step 0 and the end): metrics.jsonl and TensorBoard.
    func recordEvaluation(step: Int, _ values: [String: Double]) throws {
        try metrics.append(values)
        try tensorBoard.add(scalars: values.filter { $0.key != "step" }, step: step)
    }

    /// The first completions of the first groups, with their reward components.
    func recordSamples(step: Int, _ batch: GeneratedBatch) throws {
        let rows = Array(0..<min(samplesPerRecord, batch.count)).map { index -> Int in
            // Spread over groups: one completion from each of the first groups, then more.
            let groups = max(1, batch.groupCount)
            return (index % groups) * batch.groupSize + index / groups
        }.filter { $0 < batch.count }
        let records = rows.map { row in
            var components: [String: Double] = [:]
            for (name, component) in batch.components {
                if case .numbers(let values) = component { components[name] = values[row] }
            }
            return Sample(step: step, prompt: batch.items[row].prompt, completion: batch.texts[row], reward: batch.rewards[row],
                          reference: batch.items[row].reference, components: components)
        }
        try samples.append(records)
        try tensorBoard.add(texts: ["sample": records.first.map { "\($0.completion) -> \($0.reward)" } ?? ""], step: step)
    }

    /// Writes report.html atomically; returns where.
    func writeReport() throws -> URL { try ReportBuilder(runDirectories: [directory]).write() }
}
