/// When AlertMonitor speaks up. The defaults suit GRPO-family runs on small models.
public struct AlertThresholds: Sendable, Equatable {
    /// Mean token entropy below this, and below `entropyDropFraction` of the run's first
    /// recorded entropy, ...
    public var entropyFloor: Double
    /// ... for this many consecutive steps is a collapse.
    public var entropyPatience: Int
    /// A collapse is a fall: a policy that starts confident (a small model copying most of its
    /// answer from the prompt sits near 0.04 nats a token) is not collapsing while it stays there.
    public var entropyDropFraction: Double
    /// Fraction of a step's groups whose completions are all the same.
    public var identicalGroupsFraction: Double
    /// Consecutive steps with reward_std == 0 (no group carries any learning signal).
    public var zeroRewardStdSteps: Int
    /// KL to the reference above this.
    public var klBound: Double
    /// Held-out accuracy this far (absolute) below the best seen so far.
    public var evalRegressionMargin: Double

    public init(entropyFloor: Double = 0.05, entropyPatience: Int = 3, entropyDropFraction: Double = 0.5,
                identicalGroupsFraction: Double = 0.5, zeroRewardStdSteps: Int = 5, klBound: Double = 1.0,
                evalRegressionMargin: Double = 0.05) {
        self.entropyFloor = entropyFloor
        self.entropyPatience = entropyPatience
        self.entropyDropFraction = entropyDropFraction
        self.identicalGroupsFraction = identicalGroupsFraction
        self.zeroRewardStdSteps = zeroRewardStdSteps
        self.klBound = klBound
        self.evalRegressionMargin = evalRegressionMargin
    }
}
