import Foundation
import Testing
@testable import Core
import RLRunSDK

/// pass@k from n samples per item, and `rlrun eval --samples`.
struct SampledAccuracyTests {
    @Test func passAtKIsTheUnbiasedEstimate() {
        // n = 4: one right → pass@1 = 1/4, pass@2 = 1 - C(3,2)/C(4,2) = 1/2, pass@4 = 1;
        // two right → pass@2 = 1 - C(2,2)/C(4,2) = 5/6; none → 0; all → 1.
        let one = SampledAccuracy(samplesPerItem: 4, temperature: 1, correctCounts: [1])
        #expect(abs(one.passAt(1) - 0.25) < 1e-12)
        #expect(abs(one.passAt(2) - 0.5) < 1e-12)
        #expect(abs(one.passAt(4) - 1) < 1e-12)
        let two = SampledAccuracy(samplesPerItem: 4, temperature: 1, correctCounts: [2])
        #expect(abs(two.passAt(2) - 5.0 / 6) < 1e-12)
        let mixed = SampledAccuracy(samplesPerItem: 4, temperature: 1, correctCounts: [0, 1, 2, 4])
        #expect(abs(mixed.passAt(1) - (0 + 0.25 + 0.5 + 1) / 4) < 1e-12)
        #expect(abs(mixed.passAt(2) - (0 + 0.5 + 5.0 / 6 + 1) / 4) < 1e-12)
        #expect(abs(mixed.passAt(4) - 0.75) < 1e-12)
        #expect(mixed.reportedK == [1, 2, 4])
        #expect(SampledAccuracy(samplesPerItem: 6, temperature: 1, correctCounts: [3]).reportedK == [1, 2, 4, 6])
        #expect(SampledAccuracy(samplesPerItem: 1, temperature: 1, correctCounts: [1]).reportedK == [1])
    }

    @Test func evalSamplesEveryItemAndReportsPassAtK() throws {
        let directory = try TemporaryDirectory("rlrun-eval")
        let a = try EvalCommandTests.tinyModel(seed: 2, std: 0.5, in: directory.file("a"))
        var job = EvalCommandTests.job(a, nil)
        job.samples = 4
        let report = try job.run(cache: directory.file("cache"))
        let sampled = try #require(report.model.sampled)
        #expect(sampled.samplesPerItem == 4)
        #expect(sampled.temperature == 1)
        #expect(sampled.correctCounts.count == 6)
        #expect(sampled.correctCounts.allSatisfy { (0...4).contains($0) })
        #expect(report.lines.contains { $0.hasPrefix("[EVAL] A sampled: pass@1 ") && $0.contains("pass@4") })
        let passAt = report.json["model"]?["sampled"]?["pass_at"]
        #expect(passAt?["1"]?.doubleValue == sampled.passAt(1))
        #expect(passAt?["4"]?.doubleValue == sampled.passAt(4))

        job.samples = -1
        #expect(throws: ConfigurationError.self) { try job.run(cache: directory.file("cache")) }
    }
}
