import Foundation
import RLRunSDK

/// One kind of blocked content: phrases matched as whole words (case-insensitive, any run of
/// whitespace between words) and regular expressions matched as written.
public struct ContentCategory: Sendable {
    public let name: String
    public let phrases: [String]
    public let patterns: [String]
    private let expressions: [NSRegularExpression]

    public init(name: String, phrases: [String] = [], patterns: [String] = []) throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
            throw PluginError(.config, "content category name \(name.debugDescription) must use only a-z, 0-9 and _ (it names a logged component)")
        }
        self.name = name
        self.phrases = phrases
        self.patterns = patterns
        var expressions: [NSRegularExpression] = []
        for phrase in phrases where !phrase.isEmpty {
            let words = phrase.split(whereSeparator: \.isWhitespace).map { NSRegularExpression.escapedPattern(for: String($0)) }
            expressions.append(try! NSRegularExpression(pattern: #"(?<!\w)"# + words.joined(separator: #"\s+"#) + #"(?!\w)"#,
                                                        options: [.caseInsensitive]))
        }
        for pattern in patterns {
            do {
                expressions.append(try NSRegularExpression(pattern: pattern))
            } catch {
                throw PluginError(.config, "content category '\(name)': \(pattern.debugDescription) is not a valid regular expression")
            }
        }
        self.expressions = expressions
    }

    /// How many matches the phrases and patterns find in `text` (a sentence two rules catch
    /// counts twice). Curly apostrophes count as straight ones, so "I can’t" is found by a
    /// list that says "I can't".
    public func matchCount(in text: String) -> Int {
        let normalised = text.replacingOccurrences(of: "\u{2019}", with: "'").replacingOccurrences(of: "\u{2018}", with: "'")
        let range = NSRange(normalised.startIndex..., in: normalised)
        return expressions.reduce(0) { $0 + $1.numberOfMatches(in: normalised, range: range) }
    }
}
