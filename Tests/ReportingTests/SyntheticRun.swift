import Foundation
@testable import Reporting

/// A recorded run directory like the run loop leaves behind: metrics for `steps` steps with
/// every key the report plots, samples, alerts, a config and TensorBoard events.
enum SyntheticRun {
    /// `variant` shifts the curves so two runs differ; variant 0 alone records LIMEN tension.
    static func write(to directory: URL, steps: Int = 30, variant: Int = 0) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let shift = Double(variant) * 0.08
        var lines = [#"{"step": 0, "eval_accuracy": \#(0.2 + shift), "eval_reward": \#(0.25 + shift)}"#]
        let events = try TensorBoardEventWriter(logDirectory: directory.appendingPathComponent("tensorboard"), hostname: "synthetic")
        for step in 1...steps {
            let t = Double(step)
            let wobble = 0.04 * sin(t * 1.7 + Double(variant))
            var m: [String: Double] = [
                "step": t,
                "reward_mean": 0.25 + shift + 0.5 * (1 - exp(-t / 9)) + wobble,
                "reward_std": 0.3 * exp(-t / 40),
                "reward/gsm8k": 0.2 + shift + 0.55 * (1 - exp(-t / 8)) + wobble,
                "reward/format": 0.6 + 0.3 * (1 - exp(-t / 5)),
                "accuracy": 0.2 + shift + 0.5 * (1 - exp(-t / 10)) + wobble,
                "kl": 0.002 * t * (1 + shift),
                "entropy": 1.8 * exp(-t / 25) + 0.2,
                "completion_length_mean": 120 + 40 * sin(t / 6) + Double(variant) * 15,
                "clip_fraction_low": 0.004 + 0.002 * sin(t),
                "clip_fraction_high": 0.02 + 0.01 * cos(t / 3),
                "learning_rate": 1e-6 * min(1, t / 5),
                "loss": step == 17 ? .nan : 0.1 * exp(-t / 15) - 0.02 + wobble / 4,
                "grad_norm": 2 * exp(-t / 12) + 0.3,
            ]
            if variant == 0 { m["limen/tension"] = 0.5 + 0.3 * sin(t / 4) }
            if step % 5 == 0 {
                m["eval_accuracy"] = 0.2 + shift + 0.45 * (1 - exp(-t / 12))
                m["eval_reward"] = 0.3 + shift + 0.4 * (1 - exp(-t / 12))
            }
            lines.append(jsonLine(m))
            try events.add(scalars: m.filter { $0.key != "step" }, step: step, wallTime: 1_700_000_000 + t)
            if step % 10 == 0 { try events.add(texts: ["sample": "<think>\(step) + 3</think> #### \(step + 3)"], step: step) }
        }
        try events.close()
        try (lines.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("metrics.jsonl"), atomically: true, encoding: .utf8)

        let samples = try SamplesWriter(url: directory.appendingPathComponent("samples.jsonl"))
        for step in stride(from: 2, through: steps, by: 2) {
            try samples.append(Sample(step: step, prompt: "Janet has \(step) ducks & buys 3 more. How many?",
                                      completion: "<think>\(step) + 3 = \(step + 3)</think>\n#### \(step + 3)",
                                      reward: step % 4 == 0 ? 1 : 0.5, reference: "\(step + 3)",
                                      components: ["gsm8k": step % 4 == 0 ? 1 : 0, "format": 1]))
        }
        try AlertsWriter(url: directory.appendingPathComponent("alerts.jsonl")).append([
            Alert(kind: .klBound, step: 12, message: "KL 1.3 exceeds 1 (variant \(variant))"),
            Alert(kind: .entropyCollapse, step: 25, message: "entropy 0.04 has been below 0.05 for 3 steps"),
        ])
        let config = #"{"algorithm": "dapo", "dataset": "arithmetic", "model": null, "rewards": {"gsm8k": 1, "format": 0.5}, "#
            + #""resolved": {"learning_rate": 1e-06, "group_size": 8, "steps": \#(steps)}, "sources": ["preset dapo", "flags"]}"#
        try config.write(to: directory.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
    }

    /// NaN as null, as the run loop's metrics log writes it.
    static func jsonLine(_ metrics: [String: Double]) -> String {
        "{" + metrics.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value.isFinite ? "\($0.value)" : "null")" }
            .joined(separator: ", ") + "}"
    }
}
