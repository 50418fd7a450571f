import ContentRules
import MathAnswers
import ReasoningFormats
import TextRepetition

/// Runs LIMEN's checks on one completion and weighs the failures into a tension in [0, 1].
struct LimenValidator {
    /// What the completion must contain to pass the format check.
    enum RequiredFormat: String, CaseIterable {
        case none
        /// An explicit final answer (answer tags, \boxed, ####, "the answer is", "Answer:").
        case answer
        case think
        case reasoning
    }

    struct Verdict {
        let tension: Double
        let failed: [LimenCheck]
    }

    let weights: [LimenCheck: Double]
    let requiredFormat: RequiredFormat
    let ngram: Int
    let repetitionThreshold: Double
    let content: ContentRules

    private static let markers = AnswerExtractor(mode: .strict)

    /// `learned` is the model-based tension and its weight, when LIMEN has a tension model: a
    /// check that always judges, and fails by its value in [0, 1] rather than all or nothing.
    func judge(_ completion: String, learned: (tension: Double, weight: Double)? = nil) -> Verdict {
        var weighed = learned?.weight ?? 0
        var failedWeight = learned.map { $0.tension * $0.weight } ?? 0
        var failed: [LimenCheck] = []
        for check in LimenCheck.allCases {
            guard let fails = outcome(check, completion) else { continue }
            weighed += weights[check]!
            if fails {
                failedWeight += weights[check]!
                failed.append(check)
            }
        }
        return Verdict(tension: weighed > 0 ? failedWeight / weighed : 0, failed: failed)
    }

    /// True when the check fails, false when it passes, nil when there is nothing to judge.
    private func outcome(_ check: LimenCheck, _ completion: String) -> Bool? {
        switch check {
        case .answerConsistency:
            guard let answer = Self.markers.extract(from: completion)?.answer,
                  let lastResult = Computations.results(in: completion).last else { return nil }
            return !answer.matches(lastResult)
        case .calculator:
            let verdicts = CalculatorAnnotation.all(in: completion).map(\.verdict).filter { $0 != .unreadable }
            return verdicts.isEmpty ? nil : verdicts.contains(.wrong)
        case .contradiction:
            let stated = AnswerExtractor.statedAnswers(in: completion).map(\.answer)
            guard let first = stated.first, stated.count > 1 else { return nil }
            return stated.contains { !$0.matches(first) }
        case .repetition:
            return RepeatedNgrams.fraction(in: completion, n: ngram).map { $0 >= repetitionThreshold }
        case .content:
            return content.matchCounts(in: completion).contains { $0 > 0 }
        case .format:
            switch requiredFormat {
            case .none: return nil
            case .answer: return Self.markers.extract(from: completion) == nil
            case .think: return !ReasoningFormat.think.matchesSoftly(completion)
            case .reasoning: return !ReasoningFormat.reasoning.matchesSoftly(completion)
            }
        }
    }
}
