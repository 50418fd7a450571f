import Foundation
import Testing
@testable import Reporting

struct SamplesAndAlertsFileTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    @Test func samplesRoundTripThroughTheWriter() throws {
        let url = directory.url.appendingPathComponent("samples.jsonl")
        let writer = try SamplesWriter(url: url)
        let first = Sample(step: 1, prompt: "What is 2+2?", completion: "<think>2+2</think> 4", reward: 1, reference: "4",
                           components: ["gsm8k": 1, "format": 0.5])
        let second = Sample(step: 2, prompt: "p", completion: "c", reward: 0)
        try writer.append([first, second])
        try writer.close()
        #expect(try SamplesFile.read(url) == [first, second])
        let line = try #require(try String(contentsOf: url, encoding: .utf8).split(separator: "\n").first)
        #expect(line == #"{"completion":"<think>2+2</think> 4","components":{"format":0.5,"gsm8k":1},"prompt":"What is 2+2?","reference":"4","reward":1,"step":1}"#)
    }

    @Test func nonFiniteRewardsAreWrittenAsNullAndReadAsNaN() throws {
        let url = directory.url.appendingPathComponent("samples.jsonl")
        try SamplesWriter(url: url).append(Sample(step: 3, prompt: "p", completion: "c", reward: .nan, components: ["limen": .infinity]))
        #expect(try String(contentsOf: url, encoding: .utf8).contains(#""reward":null"#))
        let read = try #require(try SamplesFile.read(url).first)
        #expect(read.reward.isNaN)
        #expect(read.components?["limen"]?.isNaN == true)
    }

    @Test func resumingAppendsAndStartingAfreshTruncates() throws {
        let url = directory.url.appendingPathComponent("samples.jsonl")
        try SamplesWriter(url: url).append(Sample(step: 1, prompt: "a", completion: "a", reward: 1))
        try SamplesWriter(url: url, resuming: true).append(Sample(step: 2, prompt: "b", completion: "b", reward: 1))
        #expect(try SamplesFile.read(url).map(\.step) == [1, 2])
        try SamplesWriter(url: url).append(Sample(step: 3, prompt: "c", completion: "c", reward: 1))
        #expect(try SamplesFile.read(url).map(\.step) == [3])
    }

    @Test func aSampleWithoutACompletionNamesTheLineAndKey() throws {
        let url = try directory.file("samples.jsonl", """
            {"step": 1, "prompt": "p", "completion": "c", "reward": 1}
            {"step": 2, "prompt": "p", "reward": 1}
            """)
        #expect(throws: ReportingError(file: url.path, location: "line 2", message: "not a valid record: missing 'completion'")) {
            try SamplesFile.read(url)
        }
    }

    @Test func alertsRoundTripAndKeepUnknownKinds() throws {
        let url = directory.url.appendingPathComponent("alerts.jsonl")
        let alerts = [Alert(kind: .klBound, step: 4, message: "KL 2 exceeds 1"), Alert(kind: AlertKind(rawValue: "custom"), step: 5, message: "m")]
        try AlertsWriter(url: url).append(alerts)
        #expect(try SamplesAndAlertsFileTests.lines(url) == [#"{"kind":"kl_bound","message":"KL 2 exceeds 1","step":4}"#,
                                                             #"{"kind":"custom","message":"m","step":5}"#])
        #expect(try AlertsFile.read(url) == alerts)
        #expect(alerts[0].description == "[ALERT] step 4 kl_bound: KL 2 exceeds 1")
    }

    static func lines(_ url: URL) throws -> [Substring] { try String(contentsOf: url, encoding: .utf8).split(separator: "\n") }
}
