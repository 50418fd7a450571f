import Foundation

/// Finds the final answer of a worked solution. Markers are tried in this order, and for each
/// the last occurrence in the text wins (models often restate the answer at the end):
///
/// 1. `<answer>…</answer>` (d1 / GRPO-demo format; an unclosed last `<answer>` counts too)
/// 2. `\boxed{…}` (math-verify style, nested braces allowed)
/// 3. `#### N` (GSM8K's own format)
/// 4. "The (final) answer is N" (gsm8k_cot style), case-insensitive
/// 5. "Answer: N" or "A: N" at the start of a line
/// 6. flexible mode only: the last number anywhere in the text
///
/// Inside the marked span the first number is the answer ("<answer>$18 per day</answer>" → 18).
public struct AnswerExtractor: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        /// Only explicit answer markers (1–5).
        case strict
        /// Markers, then the last number in the text.
        case flexible
    }

    /// Which rule found the answer, for diagnostics.
    public enum Source: String, Sendable {
        case answerTag = "answer-tag"
        case boxed
        case hashes = "####"
        case answerIs = "answer-is"
        case answerLine = "answer-line"
        case lastNumber = "last-number"
    }

    public struct Extraction: Sendable, Equatable {
        public let answer: NumericAnswer
        public let source: Source
    }

    public var mode: Mode
    /// Look only at the last `tailCharacters` characters (verl looks at 300); 0 = everything.
    public var tailCharacters: Int

    public init(mode: Mode = .flexible, tailCharacters: Int = 0) {
        self.mode = mode
        self.tailCharacters = tailCharacters
    }

    static let hashes = try! NSRegularExpression(pattern: #"####\s*([^\n]*)"#)
    static let answerIs = try! NSRegularExpression(
        pattern: #"(?i)the\s+(?:final\s+)?answer\s+is\s*:?\s*([^\n]*)"#)
    static let answerLine = try! NSRegularExpression(pattern: #"(?im)^\s*(?:final\s+)?(?:answer|a)\s*:\s*([^\n]*)"#)

    public func extract(from completion: String) -> Extraction? {
        let text = tailCharacters > 0 ? String(completion.suffix(tailCharacters)) : completion
        let marked: [(Source, String?)] = [
            (.answerTag, Self.lastAnswerTag(text)),
            (.boxed, Self.lastBoxed(text)),
            (.hashes, Self.lastCapture(Self.hashes, text)),
            (.answerIs, Self.lastCapture(Self.answerIs, text)),
            (.answerLine, Self.lastCapture(Self.answerLine, text)),
        ]
        for case let (source, span?) in marked {
            if let answer = NumericAnswer(span) { return Extraction(answer: answer, source: source) }
        }
        if mode == .flexible, let last = NumberScanner.numbers(in: text).last {
            return Extraction(answer: last, source: .lastNumber)
        }
        return nil
    }

    static func lastCapture(_ regex: NSRegularExpression, _ text: String) -> String? {
        let matches = regex.matches(in: text, range: NSRange(text.startIndex..., in: text))
        guard let last = matches.last, let range = Range(last.range(at: 1), in: text) else { return nil }
        return String(text[range])
    }

    static func lastAnswerTag(_ text: String) -> String? {
        guard let open = text.range(of: "<answer>", options: .backwards) else { return nil }
        let rest = text[open.upperBound...]
        let close = rest.range(of: "</answer>")?.lowerBound ?? rest.endIndex
        return String(rest[..<close])
    }

    static func lastBoxed(_ text: String) -> String? {
        guard let open = text.range(of: "\\boxed{", options: .backwards) else { return nil }
        var depth = 1
        var index = open.upperBound
        while index < text.endIndex {
            switch text[index] {
            case "{": depth += 1
            case "}":
                depth -= 1
                if depth == 0 { return String(text[open.upperBound..<index]) }
            default: break
            }
            index = text.index(after: index)
        }
        return nil
    }

    /// The gold answer of a GSM8K `answer` field: the text after the last `####`.
    public static func goldAnswer(fromSolution solution: String) -> NumericAnswer? {
        lastCapture(hashes, solution).flatMap(NumericAnswer.init)
    }

    /// The number a reference answer stands for: the final answer when it is a whole GSM8K
    /// solution, else its first number ("72", "$1,200").
    public static func referenceAnswer(_ reference: String) -> NumericAnswer? {
        goldAnswer(fromSolution: reference) ?? NumericAnswer(reference)
    }
}
