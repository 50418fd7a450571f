import Foundation

/// A numeric final answer, compared by value: "1,234", "$1234.00", "1234." and "1234 dollars"
/// are equal; "3/4" equals "0.75"; "-0" equals "0"; "50%" equals "50".
public struct NumericAnswer: Sendable, Equatable, CustomStringConvertible {
    public let value: Double
    /// The text it was read from, as written.
    public let text: String

    /// Reads the first number in `text` (after removing thousands separators, currency signs,
    /// a leading '+', a trailing '%' or period, and any unit words after it). Nil when there is
    /// no number.
    public init?(_ text: String) {
        guard let match = NumberScanner.numbers(in: NumberScanner.plainFractions(text)).first else { return nil }
        self = match
    }

    init(value: Double, text: String) {
        self.value = value == 0 ? 0 : value
        self.text = text
    }

    /// Equal as numbers, with a relative tolerance for fractions and rounding of decimals.
    public func matches(_ other: NumericAnswer) -> Bool {
        let scale = max(1, abs(value), abs(other.value))
        return abs(value - other.value) <= 1e-6 * scale
    }

    public var description: String { text }
}

/// Finds number-like tokens in free text.
enum NumberScanner {
    private static let latexFraction = try! NSRegularExpression(pattern: #"\\[dt]?frac\{\s*(-?\d+)\s*\}\{\s*(\d+)\s*\}"#)

    /// `\frac{3}{4}` (and `\dfrac`, `\tfrac`) as `3/4`.
    static func plainFractions(_ text: String) -> String {
        latexFraction.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "$1/$2")
    }

    /// Optional sign, optional currency, digits with optional thousands separators, optional
    /// decimals, optional "/denominator", optional percent.
    private static let pattern = try! NSRegularExpression(
        pattern: #"(?<![\w.])([-+−]?)[$€£]?\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s?/\s?(\d+))?\s?%?"#)

    static func numbers(in text: String) -> [NumericAnswer] {
        let range = NSRange(text.startIndex..., in: text)
        return pattern.matches(in: text, range: range).compactMap { match in
            func group(_ i: Int) -> String? {
                guard let r = Range(match.range(at: i), in: text) else { return nil }
                return String(text[r])
            }
            guard let whole = group(2), var value = Double(whole.replacingOccurrences(of: ",", with: "") + (group(3) ?? "")) else {
                return nil
            }
            if let denominator = group(4).flatMap(Double.init) {
                guard denominator != 0 else { return nil }
                value /= denominator
            }
            if let sign = group(1), sign == "-" || sign == "−" { value = -value }
            let text = Range(match.range, in: text).map { String(text[$0]) } ?? whole
            return NumericAnswer(value: value, text: text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
