/// The plots a report shows, in order, and the metrics.jsonl keys each one draws.
struct PlotSpec {
    let title: String
    /// Each key with its name in the legend when the plot draws several per run.
    let keys: [(key: String, label: String)]
    /// What the "not recorded" note names when no run has any of the keys.
    let expected: String
    var valueRange: ClosedRange<Double>? = nil

    init(_ title: String, _ keys: [(key: String, label: String)], expected: String? = nil, valueRange: ClosedRange<Double>? = nil) {
        self.title = title
        self.keys = keys
        self.expected = expected ?? keys.map(\.key).joined(separator: ", ")
        self.valueRange = valueRange
    }

    init(_ title: String, key: String) { self.init(title, [(key, key)]) }
}

enum ReportPlots {
    /// The standard plots, with one per reward component and every tension metric found in `keys`
    /// (the union over the runs).
    static func specs(keys: [String]) -> [PlotSpec] {
        let components = keys.filter { $0.hasPrefix("reward/") }
        let tension = keys.filter { $0.contains("tension") }
        let componentPlots = components.isEmpty
            ? [PlotSpec("Reward components", [], expected: "reward/*")]
            : components.map { PlotSpec("Reward component: \($0.dropFirst("reward/".count))", key: $0) }
        return [PlotSpec("Reward (mean)", key: "reward_mean")] + componentPlots + [
            PlotSpec("Accuracy", [("accuracy", "training"), ("eval_accuracy", "held-out")], valueRange: 0...1),
            PlotSpec("KL divergence", key: "kl"),
            PlotSpec("Entropy", key: "entropy"),
            PlotSpec("Completion length (mean tokens)", key: "completion_length_mean"),
            PlotSpec("Clip fraction", [("clip_fraction_low", "low"), ("clip_fraction_high", "high")]),
            PlotSpec("LIMEN tension", tension.map { ($0, $0) }, expected: "a key containing \"tension\""),
            PlotSpec("Learning rate", key: "learning_rate"),
            PlotSpec("Loss", key: "loss"),
            PlotSpec("Gradient norm", key: "grad_norm"),
        ]
    }
}
