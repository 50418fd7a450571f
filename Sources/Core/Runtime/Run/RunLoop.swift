import Foundation
import Training

/// Runs a prepared run to the end: held-out evaluation before, RL steps with metrics and log
/// lines, evaluation every `eval_every` steps, and a final evaluation and summary.
public struct RunLoop {
    public let run: PreparedRun
    public let log: @Sendable (String) -> Void

    public init(run: PreparedRun, log: @escaping @Sendable (String) -> Void) {
        self.run = run
        self.log = log
    }

    public struct Outcome: Sendable {
        public let accuracyBefore: Double?
        public let accuracyAfter: Double?
        public let rewardBefore: Double
        public let rewardAfter: Double
        public let seconds: Double
    }

    @discardableResult
    public func execute() throws -> Outcome {
        let started = Date()
        let metrics = try MetricsLog(url: run.runDirectory.appendingPathComponent("metrics.jsonl"))
        let settings = run.configuration
        let before = try evaluate(step: 0, metrics: metrics)
        var last = before
        for _ in 0..<settings.steps {
            var m = try run.trainer.trainStep()
            let step = run.trainer.step
            if settings.evalEvery > 0, step % settings.evalEvery == 0, step < settings.steps {
                last = try evaluate(step: step, metrics: nil)
                if let accuracy = last.accuracy { m["eval_accuracy"] = accuracy }
                m["eval_reward"] = last.meanReward
            }
            try metrics.append(m)
            log(LogLines.step(m, totalSteps: settings.steps))
            if let components = LogLines.components(m) { log(components) }
        }
        let after = settings.steps > 0 ? try evaluate(step: settings.steps, metrics: metrics) : before
        let outcome = Outcome(accuracyBefore: before.accuracy, accuracyAfter: after.accuracy, rewardBefore: before.meanReward,
                              rewardAfter: after.meanReward, seconds: Date().timeIntervalSince(started))
        log("[DONE] held-out accuracy \(LogLines.format(before.accuracy)) -> \(LogLines.format(after.accuracy)), "
            + "mean reward \(LogLines.format(before.meanReward)) -> \(LogLines.format(after.meanReward)) "
            + "in \(LogLines.format(outcome.seconds, digits: 0)) s; metrics in \(run.runDirectory.appendingPathComponent("metrics.jsonl").path)")
        return outcome
    }

    func evaluate(step: Int, metrics: MetricsLog?) throws -> Evaluator.Result {
        let result = try run.evaluator.run()
        log("[EVAL] Step \(step): held-out accuracy=\(LogLines.format(result.accuracy)), mean_reward=\(LogLines.format(result.meanReward)) (\(run.evaluator.prompts) greedy prompts of '\(run.evaluator.split)')")
        if let sample = result.samples.first {
            log("[EVAL] e.g. \(sample.completion.prefix(120).debugDescription) -> reward \(LogLines.format(sample.reward))")
        }
        try metrics?.append(["step": Double(step), "eval_accuracy": result.accuracy ?? .nan, "eval_reward": result.meanReward])
        return result
    }
}
