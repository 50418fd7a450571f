import Testing
@testable import Reporting

struct AlertMonitorTests {
    /// Feeds one metric per step (starting at step 1) and returns the steps at which `kind` fired.
    func firingSteps(_ kind: AlertKind, _ key: String, _ values: [Double?], thresholds: AlertThresholds = AlertThresholds()) -> [Int] {
        var monitor = AlertMonitor(thresholds: thresholds)
        return values.enumerated().flatMap { index, value in
            monitor.observe(step: index + 1, metrics: value.map { [key: $0] } ?? [:]).filter { $0.kind == kind }.map(\.step)
        }
    }

    @Test func defaults() {
        let t = AlertThresholds()
        #expect(t.entropyFloor == 0.05 && t.entropyPatience == 3 && t.identicalGroupsFraction == 0.5)
        #expect(t.zeroRewardStdSteps == 5 && t.klBound == 1.0 && t.evalRegressionMargin == 0.05)
    }

    @Test func entropyCollapseNeedsPatienceFiresOnceAndAgainAfterRecovering() {
        let values: [Double?] = [0.5, 0.01, 0.02, 0.01, 0.01, 0.01, 0.3, 0.01, 0.01, 0.01]
        #expect(firingSteps(.entropyCollapse, "entropy", values) == [4, 10])
    }

    @Test func entropyDipsShorterThanThePatienceDoNotFire() {
        #expect(firingSteps(.entropyCollapse, "entropy", [0.01, 0.01, 0.5, 0.01, 0.01, 0.5]).isEmpty)
    }

    @Test func stepsWithoutTheMetricNeitherCountNorClear() {
        #expect(firingSteps(.entropyCollapse, "entropy", [0.5, 0.01, nil, 0.01, 0.01, nil, 0.01]) == [5])
    }

    /// A confident policy that stays confident is not collapsing; the same policy falling to
    /// under half its starting entropy is.
    @Test func entropyCollapseIsAFallFromTheStart() {
        #expect(firingSteps(.entropyCollapse, "entropy", [0.04, 0.045, 0.03, 0.035, 0.04, 0.03]).isEmpty)
        #expect(firingSteps(.entropyCollapse, "entropy", [0.04, 0.03, 0.015, 0.01, 0.012]) == [5])
        var monitor = AlertMonitor()
        let messages = [0.04, 0.015, 0.01, 0.012].enumerated().flatMap { monitor.observe(step: $0 + 1, metrics: ["entropy": $1]) }
        #expect(messages.map(\.message) == ["entropy 0.012 has been below 0.05 and under 50% of its starting 0.04 for 3 steps: "
            + "the policy is collapsing onto a few completions"])
    }

    @Test func identicalCompletionsFromTheFractionMetric() {
        #expect(firingSteps(.identicalCompletions, "identical_groups_fraction", [0.1, 0.5, 0.9, 0.2, 0.75]) == [2, 5])
    }

    @Test func identicalCompletionsFromTheCountOverTheStepsGroups() {
        var monitor = AlertMonitor()
        let groups = ["groups_kept": 6.0, "groups_dropped": 2.0]
        #expect(monitor.observe(step: 1, metrics: groups, groupsWithIdenticalCompletions: 3).isEmpty)
        let alerts = monitor.observe(step: 2, metrics: groups, groupsWithIdenticalCompletions: 4)
        #expect(alerts.map(\.kind) == [.identicalCompletions])
        #expect(alerts.first?.message.hasPrefix("4 of 8 groups have identical completions") == true)
        #expect(monitor.observe(step: 3, metrics: groups, groupsWithIdenticalCompletions: 8).isEmpty)
        #expect(monitor.observe(step: 4, metrics: groups, groupsWithIdenticalCompletions: 0).isEmpty)
        #expect(monitor.observe(step: 5, metrics: [:], groupsWithIdenticalCompletions: 2).map(\.kind) == [.identicalCompletions])
    }

    @Test func rewardVarianceZeroAfterFiveSteps() {
        let values: [Double?] = [0, 0, 0, 0, 0, 0, 0.1, 0, 0, 0, 0, 0]
        #expect(firingSteps(.rewardVarianceZero, "reward_std", values) == [5, 12])
        #expect(firingSteps(.rewardVarianceZero, "reward_std", [0, 0, 0.2, 0, 0, 0.2],
                            thresholds: AlertThresholds(zeroRewardStdSteps: 2)) == [2, 5])
    }

    @Test func klAboveTheBound() {
        #expect(firingSteps(.klBound, "kl", [0.5, 1.0, 1.5, 3, 0.9, 1.2]) == [3, 6])
        #expect(firingSteps(.klBound, "kl", [0.5, 1.5], thresholds: AlertThresholds(klBound: 2)).isEmpty)
    }

    @Test func nonFiniteValuesOfEveryWatchedKey() {
        for key in AlertMonitor.finiteKeys {
            #expect(firingSteps(.nonFinite, key, [1, .nan, .infinity, 1, -.infinity]) == [2, 5], "\(key)")
        }
        #expect(firingSteps(.nonFinite, "entropy", [.nan]).isEmpty)
    }

    @Test func nonFiniteMessageNamesTheKeys() {
        var monitor = AlertMonitor()
        let alerts = monitor.observe(step: 7, metrics: ["loss": .nan, "grad_norm": .infinity, "kl": 0.1])
        #expect(alerts == [Alert(kind: .nonFinite, step: 7, message: "loss=nan, grad_norm=inf: the update has diverged")])
    }

    @Test func evalRegressionBelowTheBestSoFar() {
        let values: [Double?] = [0.5, 0.6, 0.56, nil, 0.57, 0.5, 0.7, 0.62, 0.7, 0.6]
        #expect(firingSteps(.evalRegression, "eval_accuracy", values) == [6, 8, 10])
    }

    @Test func evalRegressionMessageSaysByHowMuchAndWhen() {
        var monitor = AlertMonitor()
        _ = monitor.observe(step: 10, metrics: ["eval_accuracy": 0.6])
        let alerts = monitor.observe(step: 20, metrics: ["eval_accuracy": 0.4])
        #expect(alerts.map(\.message) == ["held-out accuracy 0.4 is 0.2 below its best, 0.6 at step 10"])
    }

    @Test func severalKindsCanFireOnOneStep() {
        var monitor = AlertMonitor(thresholds: AlertThresholds(entropyPatience: 1))
        #expect(monitor.observe(step: 1, metrics: ["entropy": 1.0]).isEmpty)
        let alerts = monitor.observe(step: 2, metrics: ["entropy": 0.01, "kl": 5, "loss": .nan])
        #expect(Set(alerts.map(\.kind)) == [.entropyCollapse, .klBound, .nonFinite])
        #expect(alerts.allSatisfy { $0.step == 2 })
    }

    @Test func healthyMetricsRaiseNothing() {
        var monitor = AlertMonitor()
        for step in 1...20 {
            let metrics = ["entropy": 1.2, "reward_std": 0.3, "kl": 0.05, "reward_mean": 0.5, "loss": 0.1, "grad_norm": 1,
                           "advantage_mean": 0, "identical_groups_fraction": 0.1, "eval_accuracy": 0.4 + Double(step) * 0.01]
            #expect(monitor.observe(step: step, metrics: metrics).isEmpty)
        }
    }
}
