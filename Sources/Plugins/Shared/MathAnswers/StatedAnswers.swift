import Foundation

extension AnswerExtractor {
    /// Every explicit final-answer statement of the text (each occurrence of each marker the
    /// extractor knows, not only the last), for checks that a text does not state two
    /// different answers.
    public static func statedAnswers(in text: String) -> [Extraction] {
        var spans: [(Source, String)] = []
        spans += allCaptures(answerTags, text).map { (.answerTag, $0) }
        spans += allBoxed(text).map { (.boxed, $0) }
        spans += allCaptures(hashes, text).map { (.hashes, $0) }
        spans += allCaptures(answerIs, text).map { (.answerIs, $0) }
        spans += allCaptures(answerLine, text).map { (.answerLine, $0) }
        return spans.compactMap { source, span in NumericAnswer(span).map { Extraction(answer: $0, source: source) } }
    }

    private static let answerTags = try! NSRegularExpression(pattern: #"<answer>(.*?)(?:</answer>|$)"#, options: [.dotMatchesLineSeparators])

    private static func allCaptures(_ regex: NSRegularExpression, _ text: String) -> [String] {
        regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    private static func allBoxed(_ text: String) -> [String] {
        var contents: [String] = []
        var searchStart = text.startIndex
        while let open = text.range(of: "\\boxed{", range: searchStart..<text.endIndex) {
            var depth = 1
            var index = open.upperBound
            while index < text.endIndex, depth > 0 {
                if text[index] == "{" { depth += 1 } else if text[index] == "}" { depth -= 1 }
                if depth > 0 { index = text.index(after: index) }
            }
            guard index < text.endIndex else { break }
            contents.append(String(text[open.upperBound..<index]))
            searchStart = text.index(after: index)
        }
        return contents
    }
}
