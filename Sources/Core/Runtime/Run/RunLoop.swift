import Foundation
import Training

/// Runs a prepared run to the end: held-out evaluation before, RL steps with metrics and log
/// lines, evaluation every `eval_every` steps, and a final evaluation and summary.
public struct RunLoop {
    public let run: PreparedRun
    public let log: @Sendable (String) -> Void
    /// Continue from the newest complete checkpoint of the run directory.
    public var resume = false
    /// Checkpoints kept (older ones are deleted).
    public var keepLast = 3
    /// Drawn at the bottom of a terminal, when set.
    public var progress: ProgressBar?
    /// Steps between records in samples.jsonl.
    public var sampleEvery = 5
    /// Asked to stop (Ctrl-C): the loop ends after the current step with a checkpoint.
    public var interruption: Interruption?

    public init(run: PreparedRun, log: @escaping @Sendable (String) -> Void) {
        self.run = run
        self.log = log
    }

    var checkpoints: URL { run.runDirectory.appendingPathComponent("checkpoints") }

    /// Complete checkpoints, newest first (damaged or partial ones are reported and skipped).
    func validCheckpoints() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: checkpoints.path)) ?? []
        return names.filter { $0.hasPrefix("step-") }.sorted(by: >).compactMap { name in
            let folder = checkpoints.appendingPathComponent(name)
            do {
                try Trainer.verifyCheckpoint(folder)
                return folder
            } catch {
                log("[WARN] skipping checkpoint: \(error)")
                return nil
            }
        }
    }

    /// Plugins whose state a checkpoint carries, by the file name it is kept under.
    var statefulPlugins: [(file: String, instance: PluginInstance)] {
        run.trainer.rewards.terms.compactMap { term in
            (term.reward as? HostedReward).map { ("plugin-\(term.name).bin", $0.instance) }
        } + (run.masking.map { [("plugin-masking-\($0.instance.descriptor.id).bin", $0.instance)] } ?? [])
    }

    /// Rank 0 of a data-parallel run (or the only process): it writes the outputs and checkpoints.
    var leader: Bool { run.trainer.rank == 0 }

    func saveCheckpoint() throws {
        guard leader else { return }
        var extra: [String: Data] = [:]
        for plugin in statefulPlugins {
            if let state = try plugin.instance.saveState() { extra[plugin.file] = Data(state) }
        }
        let folder = checkpoints.appendingPathComponent(String(format: "step-%06d", run.trainer.step))
        do {
            try run.trainer.saveCheckpoint(to: folder, extra: extra)
        } catch {
            let previous = validCheckpoints().first.map { "the previous checkpoint \($0.lastPathComponent) is intact" } ?? "there is no earlier checkpoint"
            let reason = "\(error)".hasSuffix(".") ? "\(error)" : "\(error)."
            throw CheckpointWriteError(description: "could not write checkpoint \(folder.path): \(reason) Nothing was lost: \(previous); "
                + "free space (or fix the cause) and continue with --resume --run-dir \(run.runDirectory.path)")
        }
        for old in validCheckpoints().dropFirst(keepLast) { try? FileManager.default.removeItem(at: old) }
        log("[CKPT] \(folder.path)")
    }

    func restore() throws -> Bool {
        guard let latest = validCheckpoints().first else {
            log("[RUN] --resume: no complete checkpoint in \(checkpoints.path); starting from step 0")
            return false
        }
        try run.trainer.loadCheckpoint(from: latest)
        for plugin in statefulPlugins {
            if let data = try? Data(contentsOf: latest.appendingPathComponent(plugin.file)) {
                try plugin.instance.loadState([UInt8](data))
            }
        }
        log("[RUN] resumed from \(latest.path) at step \(run.trainer.step)")
        return true
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
        let resumed = resume ? try restore() : false
        let outputs = leader ? try RunOutputs(directory: run.runDirectory, resuming: resumed, sampleEvery: sampleEvery) : nil
        let settings = run.configuration
        let before = try evaluate(step: run.trainer.step, outputs: outputs)
        var last = before
        var stoppedEarly = false
        var firstTension: Double?
        while run.trainer.step < settings.steps {
            var m: [String: Double]
            do {
                m = try run.trainer.trainStep()
            } catch let error as NumericalDivergence {
                // The bad steps wrote no checkpoint; the report still shows how it got there.
                progress?.finish()
                if let report = try? outputs?.writeReport() { log("[DONE] report \(report.path)") }
                throw error
            }
            let step = run.trainer.step
            if settings.evalEvery > 0, step % settings.evalEvery == 0, step < settings.steps {
                last = try evaluate(step: step, outputs: nil)
                if let accuracy = last.accuracy { m["eval_accuracy"] = accuracy }
                m["eval_reward"] = last.meanReward
            }
            let alerts = try outputs?.record(step: step, m, batch: run.trainer.lastGenerated) ?? []
            log(LogLines.step(m, totalSteps: settings.steps))
            if let components = LogLines.components(m) { log(components) }
            if let tension = LogLines.tension(m) {
                firstTension = firstTension ?? tension
                log(LogLines.tension(from: firstTension!, to: tension))
            }
            for alert in alerts { log(alert.description) }
            progress?.update(step: step, total: settings.steps, elapsed: Date().timeIntervalSince(started),
                             metrics: LogLines.live(m))
            let collapsed = run.trainer.collapsed
            // Every rank stops after the same step, whichever was asked.
            let interrupted = try run.trainer.anyRank(interruption?.requested ?? false)
            if settings.checkpointEvery > 0 && (step % settings.checkpointEvery == 0 || step == settings.steps || collapsed)
                || interrupted {
                try saveCheckpoint()
            }
            if collapsed {
                log("[RUN] Stopping at step \(step): the policy collapsed (stop_on_collapse); the last checkpoint is intact")
                break
            }
            if interrupted {
                stoppedEarly = true
                log("[RUN] Stopped at step \(step) of \(settings.steps); continue with --resume --run-dir \(run.runDirectory.path)")
                break
            }
        }
        progress?.finish()
        // An interrupted run skips the final evaluation: the person asked to stop.
        let after = stoppedEarly || settings.steps == 0 ? last : try evaluate(step: run.trainer.step, outputs: outputs)
        let outcome = Outcome(accuracyBefore: before.accuracy, accuracyAfter: after.accuracy, rewardBefore: before.meanReward,
                              rewardAfter: after.meanReward, seconds: Date().timeIntervalSince(started))
        guard let outputs else { return outcome }
        let report = try outputs.writeReport()
        if stoppedEarly {
            log("[DONE] stopped at step \(run.trainer.step) after \(LogLines.format(outcome.seconds, digits: 0)) s; held-out accuracy "
                + "\(LogLines.format(before.accuracy)) before training, \(LogLines.format(last.accuracy)) at the last evaluation (none at the stop)")
        } else {
            log("[DONE] held-out accuracy \(LogLines.format(before.accuracy)) -> \(LogLines.format(after.accuracy)), "
                + "mean reward \(LogLines.format(before.meanReward)) -> \(LogLines.format(after.meanReward)) "
                + "in \(LogLines.format(outcome.seconds, digits: 0)) s")
        }
        log("[DONE] report \(report.path); metrics \(run.runDirectory.appendingPathComponent("metrics.jsonl").path); "
            + "TensorBoard: tensorboard --logdir \(run.runDirectory.appendingPathComponent("tensorboard").path)")
        return outcome
    }

    func evaluate(step: Int, outputs: RunOutputs?) throws -> Evaluator.Result {
        let result = try run.evaluator.run()
        log("[EVAL] Step \(step): held-out accuracy=\(LogLines.format(result.accuracy)), mean_reward=\(LogLines.format(result.meanReward)) (\(run.evaluator.prompts) greedy prompts of '\(run.evaluator.split)')")
        if let sample = result.samples.first {
            log("[EVAL] e.g. \(sample.completion.prefix(120).debugDescription) -> reward \(LogLines.format(sample.reward))")
        }
        try outputs?.recordEvaluation(step: step, ["step": Double(step), "eval_accuracy": result.accuracy ?? .nan,
                                                   "eval_reward": result.meanReward])
        return result
    }
}

/// A checkpoint could not be written; says what is still intact and how to continue.
public struct CheckpointWriteError: Error, CustomStringConvertible {
    public let description: String
}
