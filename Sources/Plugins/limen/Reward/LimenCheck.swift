/// The explicit checks LIMEN runs on a completion. Each either fails, passes, or has nothing to
/// judge (no computation, no annotation, fewer than two stated answers, too few words); those
/// are left out of the tension rather than counted as passed, so that a short refusal is not
/// diluted by checks it never faced.
enum LimenCheck: String, CaseIterable {
    /// The final answer is not the result of the last computation.
    case answerConsistency = "answer_consistency"
    /// A calculator annotation `<<a op b=c>>` with a wrong c.
    case calculator
    /// Two stated final answers that disagree.
    case contradiction
    /// Degenerate repetition: too many repeated word n-grams.
    case repetition
    /// Refusal or unsafe content (the `safety` plugin's categories).
    case content
    /// The required answer format is missing.
    case format

    /// Weights chosen so that, with the default thresholds, a refusal (content and format
    /// fail: 6/8) is SILENCE, two disagreeing answers (5/15 in a full solution) or a loop
    /// without an answer (3/8) are ALTERNATIVE, and a single slip (one wrong annotation, a
    /// missing answer marker) stays APPROVED with a penalty.
    var defaultWeight: Double {
        switch self {
        case .answerConsistency, .calculator, .format: 1
        case .repetition: 2
        case .contradiction, .content: 5
        }
    }
}
