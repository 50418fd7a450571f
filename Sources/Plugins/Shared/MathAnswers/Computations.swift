import Foundation

/// The results of the arithmetic a text writes out: `48/2 = 24`, `0.2 x 50 = $10`, chains
/// like `5 + 3 = 8 - 2 = 6`, and calculator annotations `<<48/2=24>>`. A result counts when
/// the stretch before its `=` (back to the previous `=`, `<<` or line break) holds an
/// operator between two numbers, so "x = 5" or "Total = 24" define rather than compute.
public enum Computations {
    public static func results(in text: String) -> [NumericAnswer] {
        let range = NSRange(text.startIndex..., in: text)
        return result.matches(in: text, range: range).compactMap { match in
            guard let equals = Range(match.range, in: text), let number = Range(match.range(at: 1), in: text) else { return nil }
            let left = text[..<equals.lowerBound]
            let stretchStart = left.lastIndex { $0 == "=" || $0 == "<" || $0 == "\n" }.map { left.index(after: $0) } ?? left.startIndex
            let stretch = String(left[stretchStart...])
            guard operation.firstMatch(in: stretch, range: NSRange(stretch.startIndex..., in: stretch)) != nil else { return nil }
            return NumericAnswer(String(text[number]))
        }
    }

    /// A number after `=`, not the start of a term like "5p".
    private static let result = try! NSRegularExpression(pattern: #"=\s*\$?\s*(-?(?:\d[\d,]*(?:\.\d+)?|\.\d+))(?!\w)"#)
    /// A number, up to two unit words ("3950 cases", "$5400/week"), an operator (ASCII,
    /// typographic minus and dashes, × and ÷, or x), and another number (".75" included).
    private static let operation = try! NSRegularExpression(
        pattern: #"\d[A-Za-z/]*(?:\s+[A-Za-z/]+){0,2}\s*\)?\s*[-+*/×÷x−–]\s*\$?\s*\(?\s*\.?\d"#)
}
