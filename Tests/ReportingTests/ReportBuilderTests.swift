import Foundation
import Testing
@testable import Reporting

struct ReportBuilderTests {
    let directory: TemporaryDirectory
    let runs: [URL]

    init() throws {
        directory = try TemporaryDirectory()
        runs = [directory.url.appendingPathComponent("dapo-baseline"), directory.url.appendingPathComponent("dapo-limen")]
        for (variant, run) in runs.enumerated() { try SyntheticRun.write(to: run, variant: variant) }
    }

    static let plotTitles = ["Reward (mean)", "Reward component: gsm8k", "Reward component: format", "Accuracy", "KL divergence",
                             "Entropy", "Completion length (mean tokens)", "Clip fraction", "LIMEN tension", "Learning rate",
                             "Loss", "Gradient norm"]

    @Test func everyPlotIsAnSVGWithItsTitleAndBothRunsInItsLegend() throws {
        let html = try ReportBuilder(runDirectories: runs).html()
        #expect(html.components(separatedBy: "<svg ").count - 1 == Self.plotTitles.count)
        for title in Self.plotTitles {
            #expect(html.contains("<text class=\"title\" x=\"62.0\" y=\"22\">\(title)</text>"), "\(title)")
        }
        #expect(html.components(separatedBy: ">dapo-baseline</text>").count - 1 == Self.plotTitles.count - 2)
        #expect(html.contains(">dapo-limen · held-out</text>"))
        #expect(html.contains(">dapo-limen: not recorded</text>"))  // the second run has no tension
        #expect(!html.contains("not recorded in these runs"))
    }

    @Test func eachRunKeepsItsColourAcrossPlots() throws {
        let html = try ReportBuilder(runDirectories: runs).html()
        let first = ReportPage.color(0), second = ReportPage.color(1)
        #expect(first != second)
        #expect(html.components(separatedBy: "stroke=\"\(first)\" stroke-width=\"1.8\"").count - 1 == Self.plotTitles.count + 2)
        #expect(html.components(separatedBy: "stroke=\"\(second)\" stroke-width=\"1.8\"").count - 1 == Self.plotTitles.count + 1)
    }

    @Test func theReportIsSelfContained() throws {
        let html = try ReportBuilder(runDirectories: runs).html()
        #expect(!html.contains("<script"))
        #expect(!html.contains("<link"))
        #expect(!html.contains("src="))
        #expect(html.components(separatedBy: "http").count - 1 == html.components(separatedBy: "xmlns=\"http://www.w3.org/2000/svg\"").count - 1)
    }

    @Test func samplesAlertsAndConfigurationAreShownEscaped() throws {
        let html = try ReportBuilder(runDirectories: runs).html()
        #expect(html.contains("&lt;think&gt;30 + 3 = 33&lt;/think&gt;\n#### 33"))
        #expect(!html.contains("<think>"))
        #expect(html.contains("Janet has 30 ducks &amp; buys 3 more."))
        #expect(html.contains("The latest 15 of 15, newest first."))
        #expect(html.contains("KL 1.3 exceeds 1 (variant 1)"))
        #expect(html.contains("<td class=\"key\">entropy_collapse</td>"))
        #expect(html.contains("<td class=\"key\">algorithm</td><td><pre class=\"text full\">dapo</pre>"))
        #expect(html.contains("&quot;group_size&quot; : 8"))
    }

    @Test func onlyTheLatestSamplesAreShown() throws {
        var builder = ReportBuilder(runDirectories: [runs[0]])
        builder.samplesPerRun = 3
        let html = try builder.html()
        #expect(html.contains("The latest 3 of 15, newest first."))
        #expect(html.contains("Janet has 26 ducks"))
        #expect(!html.contains("Janet has 24 ducks"))
    }

    @Test func absentMetricsAreNotedNotOmitted() throws {
        let bare = directory.url.appendingPathComponent("bare")
        try FileManager.default.createDirectory(at: bare, withIntermediateDirectories: true)
        try "{\"step\": 1, \"reward_mean\": 0.5}\n{\"step\": 2, \"reward_mean\": 0.6}\n"
            .write(to: bare.appendingPathComponent("metrics.jsonl"), atomically: true, encoding: .utf8)
        let html = try ReportBuilder(runDirectories: [bare]).html()
        #expect(html.components(separatedBy: "<svg ").count - 1 == 1)
        #expect(html.contains("<strong>Entropy</strong>: entropy not recorded in these runs"))
        #expect(html.contains("<strong>Reward components</strong>: reward/* not recorded in these runs"))
        #expect(html.contains("<strong>Accuracy</strong>: accuracy, eval_accuracy not recorded in these runs"))
        #expect(html.contains("no alerts"))
        #expect(html.contains("no samples.jsonl"))
        #expect(html.contains("no config.json"))
    }

    @Test func nullValuesBreakTheLine() throws {
        let html = try ReportBuilder(runDirectories: [runs[0]]).html()
        let lossPlot = try #require(html.components(separatedBy: ">Loss</text>").last?.components(separatedBy: "</svg>").first)
        let path = try #require(lossPlot.components(separatedBy: "<path d=\"").dropFirst().first?.components(separatedBy: "\"").first)
        #expect(path.filter { $0 == "M" }.count == 2)
        #expect(path.filter { $0 == "L" }.count == 27)  // 29 finite points in two runs
    }

    @Test func longRunsAreDownsampledInTheSVG() throws {
        let long = directory.url.appendingPathComponent("long")
        try FileManager.default.createDirectory(at: long, withIntermediateDirectories: true)
        let lines = (1...5000).map { "{\"step\": \($0), \"kl\": \(sin(Double($0) / 100))}" }.joined(separator: "\n")
        try lines.write(to: long.appendingPathComponent("metrics.jsonl"), atomically: true, encoding: .utf8)
        let html = try ReportBuilder(runDirectories: [long]).html()
        let path = try #require(html.components(separatedBy: "<path d=\"").dropFirst().first?.components(separatedBy: "\"").first)
        #expect(path.filter { $0 == "L" }.count < 801)
        #expect(html.contains(">5000</text>"))
    }

    @Test func aMalformedMetricsLineNamesTheFileAndLine() throws {
        let metrics = runs[1].appendingPathComponent("metrics.jsonl")
        let handle = try FileHandle(forWritingTo: metrics)
        handle.seekToEndOfFile()
        handle.write(Data("{\"step\": 31, \"kl\": \n".utf8))
        try handle.close()
        #expect(throws: ReportingError(file: metrics.path, location: "line 32", message: "not a JSON object: {\"step\": 31, \"kl\": ")) {
            try ReportBuilder(runDirectories: runs).html()
        }
    }

    @Test func aDirectoryWithoutMetricsIsAnError() throws {
        let error = try #require(throws: ReportingError.self) { try ReportBuilder(runDirectories: [directory.url]).html() }
        #expect(error.file == directory.url.path)
        #expect(error.message.hasPrefix("no metrics.jsonl"))
    }

    @Test func runsWithTheSameNameAreToldApart() throws {
        let other = directory.url.appendingPathComponent("elsewhere/dapo-baseline")
        try SyntheticRun.write(to: other, steps: 5)
        let names = try ReportBuilder(runDirectories: [runs[0], other]).loadRuns().map(\.name)
        #expect(names == ["dapo-baseline", "dapo-baseline (2)"])
    }

    @Test func writeReplacesTheReportInTheFirstRunDirectory() throws {
        let builder = ReportBuilder(runDirectories: runs)
        let stale = runs[0].appendingPathComponent("report.html")
        try "old".write(to: stale, atomically: true, encoding: .utf8)
        let url = try builder.write()
        #expect(url == stale)
        #expect(try String(contentsOf: url, encoding: .utf8).hasPrefix("<!DOCTYPE html>"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: runs[0].path).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    /// With RLRUN_REPORT_SAMPLE_OUT=DIR, leaves the two synthetic runs and their report in DIR,
    /// for scripts/screenshot-report.sh and scripts/check-tensorboard.py.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["RLRUN_REPORT_SAMPLE_OUT"] != nil))
    func writeSampleReport() throws {
        let out = URL(fileURLWithPath: ProcessInfo.processInfo.environment["RLRUN_REPORT_SAMPLE_OUT"]!)
        let sampleRuns = [out.appendingPathComponent("dapo-baseline"), out.appendingPathComponent("dapo-limen")]
        for (variant, run) in sampleRuns.enumerated() {
            try? FileManager.default.removeItem(at: run)
            try SyntheticRun.write(to: run, variant: variant)
        }
        try ReportBuilder(runDirectories: sampleRuns).write(to: out.appendingPathComponent("report.html"))
    }
}
