import Foundation

/// Lays out report.html: a runs summary, the training curves, alerts, configuration and
/// sample completions, each run drawn in the same colour everywhere.
enum ReportPage {
    /// Run colours, in order of use: saturated enough to tell apart on white, thin lines included.
    static let palette = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563"]
    /// Tell apart the metrics of one plot (training and held-out accuracy, say) within a run's colour.
    static let dashes: [String?] = [nil, "6 4", "2 3", "9 3 2 3"]

    static func html(runs: [RunRecord], samplesPerRun: Int, generatedAt: Date) -> String {
        let title = "rlrun report: " + runs.map(\.name).joined(separator: ", ")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLText.escape(title))</title>
            <style>
            \(ReportStylesheet.css)
            </style>
            </head>
            <body>
            <main>
            <h1>\(HTMLText.escape(title))</h1>
            <p class="meta">Generated \(ISO8601DateFormatter().string(from: generatedAt)) by rlrun.</p>
            \(summary(runs))
            \(plots(runs))
            \(alerts(runs))
            \(configuration(runs))
            \(samples(runs, count: samplesPerRun))
            </main>
            </body>
            </html>

            """
    }

    static func color(_ index: Int) -> String { palette[index % palette.count] }

    private static func runHeading(_ run: RunRecord, _ index: Int) -> String {
        "<h3><span class=\"swatch\" style=\"background:\(color(index))\"></span>\(HTMLText.escape(run.name))</h3>"
    }

    private static func summary(_ runs: [RunRecord]) -> String {
        let rows = runs.enumerated().map { index, run in
            let last = { (key: String) in run.metrics.series(key).last { $0.value.isFinite }?.value }
            return "<tr><td class=\"key\"><span class=\"swatch\" style=\"background:\(color(index))\"></span>\(HTMLText.escape(run.name))</td>"
                + "<td>\(HTMLText.escape(run.directory.path))</td>"
                + "<td class=\"num\">\(run.metrics.lastStep.map(String.init) ?? "—")</td>"
                + "<td class=\"num\">\(HTMLText.number(last("reward_mean")))</td>"
                + "<td class=\"num\">\(HTMLText.number(last("eval_accuracy")))</td>"
                + "<td class=\"num\">\(run.alerts.count)</td></tr>"
        }
        return """
            <h2>Runs</h2>
            <table><tr><th>run</th><th>directory</th><th>last step</th><th>last reward</th><th>last held-out accuracy</th><th>alerts</th></tr>
            \(rows.joined(separator: "\n"))
            </table>
            """
    }

    private static func plots(_ runs: [RunRecord]) -> String {
        let keys = Set(runs.flatMap(\.metrics.keys)).sorted()
        var cards: [String] = []
        var notes: [String] = []
        for (number, spec) in ReportPlots.specs(keys: keys).enumerated() {
            guard spec.keys.contains(where: { keys.contains($0.key) }) else {
                notes.append("<div class=\"note\"><strong>\(HTMLText.escape(spec.title))</strong>: "
                    + "\(HTMLText.escape(spec.expected)) not recorded in these runs</div>")
                continue
            }
            let lines = runs.enumerated().flatMap { index, run in
                let runKeys = Set(run.metrics.keys)
                // A run with none of the plot's metrics gets one "not recorded" legend entry, not one per metric.
                guard spec.keys.contains(where: { runKeys.contains($0.key) }) else {
                    return [PlotLine(label: run.name, color: color(index), dash: nil, points: [])]
                }
                return spec.keys.enumerated().map { keyIndex, entry in
                    PlotLine(label: spec.keys.count > 1 ? "\(run.name) · \(entry.label)" : run.name, color: color(index),
                             dash: dashes[keyIndex % dashes.count],
                             points: run.metrics.series(entry.key).map { (Double($0.step), $0.value) })
                }
            }
            let plot = LinePlot(id: "plot-\(number)", title: spec.title, lines: lines, valueRange: spec.valueRange)
            cards.append("<figure class=\"card\">\(plot.svg())</figure>")
        }
        return """
            <h2>Training curves</h2>
            <div class="plots">
            \(cards.joined(separator: "\n"))
            </div>
            \(notes.isEmpty ? "" : "<div class=\"notes\">\(notes.joined(separator: "\n"))</div>")
            """
    }

    private static func alerts(_ runs: [RunRecord]) -> String {
        let sections = runs.enumerated().map { index, run in
            guard !run.alerts.isEmpty else { return runHeading(run, index) + "<p class=\"empty\">no alerts</p>" }
            let rows = run.alerts.map {
                "<tr><td class=\"num\">\($0.step)</td><td class=\"key\">\(HTMLText.escape($0.kind.rawValue))</td>"
                    + "<td>\(HTMLText.escape($0.message))</td></tr>"
            }
            return runHeading(run, index) + "<table><tr><th>step</th><th>kind</th><th>message</th></tr>\n"
                + rows.joined(separator: "\n") + "</table>"
        }
        return "<h2>Alerts</h2>\n" + sections.joined(separator: "\n")
    }

    private static func configuration(_ runs: [RunRecord]) -> String {
        let sections = runs.enumerated().map { index, run in
            guard let entries = run.configuration else { return runHeading(run, index) + "<p class=\"empty\">no config.json</p>" }
            let rows = entries.map { "<tr><td class=\"key\">\(HTMLText.escape($0.key))</td><td><pre class=\"text full\">\(HTMLText.escape($0.value))</pre></td></tr>" }
            return runHeading(run, index) + "<table><tr><th>setting</th><th>value</th></tr>\n" + rows.joined(separator: "\n") + "</table>"
        }
        return "<h2>Configuration</h2>\n" + sections.joined(separator: "\n")
    }

    private static func samples(_ runs: [RunRecord], count: Int) -> String {
        let sections = runs.enumerated().map { index, run in
            guard !run.samples.isEmpty else { return runHeading(run, index) + "<p class=\"empty\">no samples.jsonl</p>" }
            let latest = run.samples.suffix(count).reversed()
            let showReference = latest.contains { $0.reference != nil }
            let rows = latest.map { sample in
                let components = (sample.components ?? [:]).sorted { $0.key < $1.key }
                    .map { "\(HTMLText.escape($0.key)) \(HTMLText.number($0.value))" }.joined(separator: "<br>")
                return "<tr><td class=\"num\">\(sample.step)</td><td><pre class=\"text\">\(HTMLText.escape(sample.prompt))</pre></td>"
                    + "<td><pre class=\"text\">\(HTMLText.escape(sample.completion))</pre></td>"
                    + (showReference ? "<td><pre class=\"text\">\(HTMLText.escape(sample.reference ?? ""))</pre></td>" : "")
                    + "<td class=\"num\">\(HTMLText.number(sample.reward))</td><td class=\"num\">\(components)</td></tr>"
            }
            return runHeading(run, index) + "<p class=\"meta\">The latest \(latest.count) of \(run.samples.count), newest first.</p>"
                + "<table><tr><th>step</th><th>prompt</th><th>completion</th>\(showReference ? "<th>reference</th>" : "")"
                + "<th>reward</th><th>components</th></tr>\n" + rows.joined(separator: "\n") + "</table>"
        }
        return "<h2>Sample completions</h2>\n" + sections.joined(separator: "\n")
    }
}
