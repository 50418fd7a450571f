import Foundation

/// Counts the steps of a worked solution: lines that hold a number, or, for a solution written
/// as one paragraph, sentences that do. A line without numbers ("Let's think.") is not a step
/// of arithmetic reasoning.
enum ReasoningSteps {
    static func count(in text: String) -> Int {
        let lines = text.split(whereSeparator: \.isNewline).filter { $0.contains { !$0.isWhitespace } }
        let segments = lines.count > 1 ? lines.map(String.init) : sentences(text)
        return segments.filter { $0.contains(where: \.isNumber) }.count
    }

    private static let sentenceEnd = try! NSRegularExpression(pattern: #"(?<=[.!?])\s+"#)

    private static func sentences(_ text: String) -> [String] {
        let marked = sentenceEnd.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "\n")
        return marked.split(separator: "\n").map(String.init)
    }
}
