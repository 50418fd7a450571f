import Foundation

/// The two tagged answer formats of reasoning-model training: reasoning inside a thinking tag,
/// then the final answer inside `<answer>`. The patterns are those of the recipes people
/// compare against, so that a run's format score means what it means there.
public enum ReasoningFormat: String, Sendable, CaseIterable {
    /// DeepSeek-R1 / open-r1: `<think>…</think><answer>…</answer>`.
    case think
    /// Will Brown's GRPO demo, as used by d1: `<reasoning>…</reasoning><answer>…</answer>`.
    case reasoning

    /// The name of the thinking tag.
    public var tag: String { rawValue }

    /// Strict: open-r1's `^<think>\n.*?\n</think>\n<answer>\n.*?\n</answer>$` (DOTALL|MULTILINE)
    /// for `think`, d1's `^<reasoning>\n.*?\n</reasoning>\n<answer>\n.*?\n</answer>\n$` (DOTALL)
    /// for `reasoning`. Both are matched from the start of the completion, as `re.match` does.
    public func matchesStrictly(_ completion: String) -> Bool {
        Self.matchesFromStart(self == .think ? Self.strictThink : Self.strictReasoning, completion)
    }

    /// Soft: d1's `<reasoning>.*?</reasoning>\s*<answer>.*?</answer>` (DOTALL) from the start,
    /// and the same shape with `think` tags.
    public func matchesSoftly(_ completion: String) -> Bool {
        Self.matchesFromStart(self == .think ? Self.softThink : Self.softReasoning, completion)
    }

    /// d1's `count_xml` partial credit (at most 0.5): 0.125 for each of the four tag lines found
    /// exactly once, less 0.001 per character after the closing answer tag.
    public func xmlCount(_ text: String) -> Double {
        func occurrences(_ part: String) -> Int { text.components(separatedBy: part).count - 1 }
        func charactersAfterLast(_ part: String) -> Int { text.components(separatedBy: part).last?.unicodeScalars.count ?? 0 }
        var count = 0.0
        if occurrences("<\(tag)>\n") == 1 { count += 0.125 }
        if occurrences("\n</\(tag)>\n") == 1 { count += 0.125 }
        if occurrences("\n<answer>\n") == 1 {
            count += 0.125
            count -= Double(charactersAfterLast("\n</answer>\n")) * 0.001
        }
        if occurrences("\n</answer>") == 1 {
            count += 0.125
            count -= Double(charactersAfterLast("\n</answer>") - 1) * 0.001
        }
        return count
    }

    private static let strictThink = try! NSRegularExpression(
        pattern: #"^<think>\n.*?\n</think>\n<answer>\n.*?\n</answer>$"#,
        options: [.dotMatchesLineSeparators, .anchorsMatchLines])
    private static let strictReasoning = try! NSRegularExpression(
        pattern: #"^<reasoning>\n.*?\n</reasoning>\n<answer>\n.*?\n</answer>\n$"#, options: [.dotMatchesLineSeparators])
    private static let softThink = try! NSRegularExpression(
        pattern: #"<think>.*?</think>\s*<answer>.*?</answer>"#, options: [.dotMatchesLineSeparators])
    private static let softReasoning = try! NSRegularExpression(
        pattern: #"<reasoning>.*?</reasoning>\s*<answer>.*?</answer>"#, options: [.dotMatchesLineSeparators])

    private static func matchesFromStart(_ regex: NSRegularExpression, _ text: String) -> Bool {
        regex.firstMatch(in: text, options: [.anchored], range: NSRange(text.startIndex..., in: text)) != nil
    }
}
