import Foundation
import Testing
@testable import Core

/// `rlrun report` through its library call, RunReport.write, on a tiny run directory.
@Suite struct ReportCommandTests {
    static func run(in directory: TemporaryDirectory, metrics: String) throws -> URL {
        let run = directory.file("run")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        try directory.write("run/metrics.jsonl", metrics)
        return run
    }

    static let metrics = """
        {"step": 0, "eval_accuracy": 0.2}
        {"step": 1, "reward_mean": 0.3, "kl": 0.01, "entropy": 1.5}
        {"step": 2, "reward_mean": 0.5, "kl": 0.02, "entropy": 1.4, "eval_accuracy": 0.4}

        """

    @Test func writesReportHTMLIntoTheRunDirectory() throws {
        let directory = try TemporaryDirectory("rlrun-report")
        let run = try Self.run(in: directory, metrics: Self.metrics)
        let written = try RunReport.write(runDirectories: [run.path])
        #expect(written.path == run.appendingPathComponent("report.html").path)
        let html = try String(contentsOf: written, encoding: .utf8)
        #expect(html.contains("<svg "))
        #expect(html.contains("Reward (mean)"))
    }

    @Test func writesWhereOutSays() throws {
        let directory = try TemporaryDirectory("rlrun-report")
        let run = try Self.run(in: directory, metrics: Self.metrics)
        let written = try RunReport.write(runDirectories: [run.path, run.path], output: directory.file("both.html").path)
        #expect(written.lastPathComponent == "both.html")
        #expect(FileManager.default.fileExists(atPath: written.path))
    }

    /// Each error is one line naming the file and what is wrong.
    @Test func errorsNameTheFile() throws {
        let directory = try TemporaryDirectory("rlrun-report")
        func message(_ paths: [String]) -> String {
            do { _ = try RunReport.write(runDirectories: paths); return "no error" } catch { return "\(error)" }
        }
        let missing = directory.file("nowhere").path
        #expect(message([missing]) == "\(missing): no such run directory")
        try FileManager.default.createDirectory(at: directory.file("empty"), withIntermediateDirectories: true)
        #expect(message([directory.file("empty").path]).hasPrefix("\(directory.file("empty").path): no metrics.jsonl"))
        let run = try Self.run(in: directory, metrics: "{\"step\": 1}\nnot json\n")
        let malformed = message([run.path])
        #expect(malformed.hasPrefix("\(run.appendingPathComponent("metrics.jsonl").path): line 2: "), "\(malformed)")
        #expect(!malformed.contains("\n"))
        #expect(message([]).contains("give at least one run directory"))
    }
}
