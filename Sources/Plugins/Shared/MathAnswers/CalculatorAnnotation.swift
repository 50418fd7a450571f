import Foundation

/// A GSM8K calculator annotation `<<expression=result>>`, checked by evaluating the expression.
public struct CalculatorAnnotation: Sendable, Equatable {
    public enum Verdict: String, Sendable {
        /// The result is the expression's value (to the decimals it is written with).
        case correct
        case wrong
        /// The expression or the result is not plain arithmetic; nothing to check.
        case unreadable
    }

    public let expression: String
    public let result: String
    public let verdict: Verdict

    /// The result as a number, when it reads as one.
    public var resultValue: Double? { Self.number(result) }

    init(expression: String, result: String) {
        self.expression = expression
        self.result = result
        guard let value = ArithmeticExpression.evaluate(expression), let claimed = Self.number(result) else {
            verdict = .unreadable
            return
        }
        verdict = Self.agree(value: value, claimed: claimed, written: result) ? .correct : .wrong
    }

    private static let annotation = try! NSRegularExpression(pattern: #"<<([^<>]*)=([^<>=]*)>>"#)

    /// Every annotation in `text`, in order.
    public static func all(in text: String) -> [CalculatorAnnotation] {
        annotation.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            guard let expression = Range(match.range(at: 1), in: text), let result = Range(match.range(at: 2), in: text) else {
                return nil
            }
            return CalculatorAnnotation(expression: String(text[expression]), result: String(text[result]))
        }
    }

    private static func number(_ text: String) -> Double? {
        Double(text.filter { $0 != "," && $0 != "$" && !$0.isWhitespace })
    }

    /// A result written with decimals may be rounded to them (GSM8K writes `<<10/3=3.33>>`);
    /// a whole-number result must be exact, up to floating-point error.
    private static func agree(value: Double, claimed: Double, written: String) -> Bool {
        let scale = max(1, abs(value))
        if abs(value - claimed) <= 1e-9 * scale { return true }
        guard let point = written.firstIndex(of: ".") else { return false }
        let decimals = written[written.index(after: point)...].prefix { $0.isNumber }.count
        guard decimals > 0 else { return false }
        return abs(value - claimed) <= 0.5 * pow(10, -Double(decimals)) + 1e-9 * scale
    }
}
