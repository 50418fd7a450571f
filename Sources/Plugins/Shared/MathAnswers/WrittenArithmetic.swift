import Foundation

/// Every computation a text writes out in plain arithmetic, `a op b [op c ...] = r`: the
/// column steps `4 + 5 = 9` and `13 - 7 - 1 = 5`, and what sits inside calculator annotations
/// `<<42+50=92>>`, each checked by evaluating its left side. A step is taken only where its
/// left side is numbers and operators alone, so "Ben has 42 + 50 = <<42+50=92>>" counts once
/// (its annotation) and "x = 5" not at all.
public enum WrittenArithmetic {
    public static func steps(in text: String) -> [CalculatorAnnotation] {
        step.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            guard let expression = Range(match.range(at: 1), in: text), let result = Range(match.range(at: 2), in: text) else {
                return nil
            }
            return CalculatorAnnotation(expression: String(text[expression]), result: String(text[result]))
        }
    }

    /// Not preceded or followed by more of a number (a full stop ending the sentence is fine),
    /// so `142 + 5 = 147` is not read as `42 + 5`.
    private static let number = #"\d+(?:\.\d+)?"#
    private static let step = try! NSRegularExpression(
        pattern: #"(?<![\d.])("# + number + #"(?:\s*[-+*/]\s*"# + number + #")+)\s*=\s*(-?"# + number + #")(?!\d|\.\d)"#)
}
