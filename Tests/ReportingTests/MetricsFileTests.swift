import Foundation
import Testing
@testable import Reporting

struct MetricsFileTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    @Test func readsSeriesPerKeyWithNullAsNaN() throws {
        let url = try directory.file("metrics.jsonl", """
            {"step": 0, "eval_accuracy": 0.25, "eval_reward": 0.3}
            {"step": 1, "reward_mean": 0.5, "reward/gsm8k": 1, "loss": null, "alerts": ["kl_bound"]}

            {"step": 2, "reward_mean": 0.75, "loss": 0.125}
            """)
        let metrics = try MetricsFile.read(url)
        #expect(metrics.rows.count == 3)
        #expect(metrics.keys == ["eval_accuracy", "eval_reward", "loss", "reward/gsm8k", "reward_mean", "step"])
        #expect(metrics.series("reward_mean") == [MetricPoint(step: 1, value: 0.5), MetricPoint(step: 2, value: 0.75)])
        #expect(metrics.series("eval_accuracy") == [MetricPoint(step: 0, value: 0.25)])
        let loss = metrics.series("loss")
        #expect(loss.map(\.step) == [1, 2])
        #expect(loss[0].value.isNaN)
        #expect(metrics.series("absent").isEmpty)
        #expect(metrics.lastStep == 2)
    }

    @Test func aRepeatedStepKeepsTheLaterLine() throws {
        let url = try directory.file("metrics.jsonl", """
            {"step": 1, "kl": 0.1}
            {"step": 2, "kl": 0.2}
            {"step": 2, "kl": 0.3}
            """)
        #expect(try MetricsFile.read(url).series("kl") == [MetricPoint(step: 1, value: 0.1), MetricPoint(step: 2, value: 0.3)])
    }

    @Test func linesWithoutAUsableStepCountByPosition() throws {
        let url = try directory.file("metrics.jsonl", "{\"kl\": 0.1}\n{\"kl\": 0.2, \"step\": null}\n{\"kl\": 0.3, \"step\": 1e300}\n")
        let metrics = try MetricsFile.read(url)
        #expect(metrics.series("kl").map(\.step) == [0, 1, 2])
        #expect(metrics.lastStep == 2)
        #expect(try MetricsFile.read(try directory.file("empty.jsonl", "\n")).lastStep == nil)
    }

    @Test func windowsLineEndingsAreLineEndings() throws {
        let url = try directory.file("metrics.jsonl", "{\"step\": 1, \"kl\": 0.1}\r\n{\"step\": 2, \"kl\": 0.2}\r\n")
        #expect(try MetricsFile.read(url).series("kl").map(\.step) == [1, 2])
    }

    @Test func aMalformedLineNamesFileAndLine() throws {
        let url = try directory.file("metrics.jsonl", "{\"step\": 1}\n{\"step\": 2,\n[3]\n")
        let error = try #require(throws: ReportingError.self) { try MetricsFile.read(url) }
        #expect(error.file == url.path)
        #expect(error.location == "line 2")
        #expect(error.description.hasPrefix("\(url.path): line 2: not a JSON object"))
    }

    @Test func aJSONValueThatIsNotAnObjectIsMalformed() throws {
        let url = try directory.file("metrics.jsonl", "{\"step\": 1}\n[3]\n")
        #expect(throws: ReportingError(file: url.path, location: "line 2", message: "not a JSON object: [3]")) {
            try MetricsFile.read(url)
        }
    }

    @Test func aMissingFileIsAnErrorNamingIt() throws {
        let url = directory.url.appendingPathComponent("metrics.jsonl")
        let error = try #require(throws: ReportingError.self) { try MetricsFile.read(url) }
        #expect(error.file == url.path)
    }
}
