import Foundation
import Testing
@testable import Core
import RLRunSDK

/// A whole run through the real loader and the shipped plugins: built-in policy with a short
/// warm start, GRPO against the gsm8k reward on the built-in arithmetic problems.
@Suite struct RunEndToEndTests {
    @Test func builtInRunWritesItsConfigurationAndMetrics() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rlrun-e2e-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var run = RunConfiguration()
        try run.apply([
            "algorithm": "grpo", "rewards": .object(["gsm8k": 1.0]), "run_dir": .string(folder.appendingPathComponent("run").path),
            "warm_start_steps": 10, "steps": 2, "prompts_per_step": 2, "group_size": 4, "max_new_tokens": 12,
            "eval_prompts": 4, "eval_every": 0, "learning_rate": 1e-3,
        ], source: "test")
        let lines = RunLog()
        let prepared = try RunBuilder.prepare(run, cache: folder.appendingPathComponent("cache"), log: lines.append)
        let outcome = try RunLoop(run: prepared, log: lines.append).execute()

        #expect(outcome.accuracyBefore != nil)
        let metrics = try String(contentsOf: prepared.runDirectory.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONValue(parsing: String($0)) }
        #expect(metrics.count == 4, "eval before, two steps, eval after")
        #expect(metrics[1]["step"]?.intValue == 1)
        #expect(metrics[1]["groups_kept"]?.intValue == 2)
        #expect(metrics[2]["reward_mean"]?.doubleValue != nil)
        let config = try JSONValue(parsing: String(contentsOf: prepared.runDirectory.appendingPathComponent("config.json"), encoding: .utf8))
        #expect(config["algorithm"]?.stringValue == "grpo")
        #expect(config["resolved"]?["prompts_per_step"]?.intValue == 2)
        #expect(lines.all.contains { $0.hasPrefix("[RL] Step 2/2:") })
        #expect(lines.all.contains { $0.hasPrefix("[DONE]") })
        #expect(lines.all.contains { $0.hasPrefix("[SFT]") })

        // The warm start is cached: a second run reuses it.
        let again = RunLog()
        _ = try RunBuilder.prepare(run, cache: folder.appendingPathComponent("cache"), log: again.append)
        #expect(again.all.contains { $0.contains("Using the cached warm start") })
    }

    @Test func unknownSettingsAreRefusedWithTheKnownKeys() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rlrun-typo-\(UUID().uuidString)")
        var run = RunConfiguration()
        try run.apply(["learning_rat": 1e-3, "run_dir": .string(folder.path)], source: "grpo_config.yaml")
        #expect {
            _ = try RunBuilder.prepare(run, cache: FileManager.default.temporaryDirectory, log: { _ in })
        } throws: { error in
            "\(error)".contains("unknown key 'learning_rat'") && "\(error)".contains("learning_rate")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }
}

/// Collects the run's log lines.
final class RunLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var all: [String] { lock.withLock { lines } }
    var append: @Sendable (String) -> Void { { line in self.lock.withLock { self.lines.append(line) } } }
}
