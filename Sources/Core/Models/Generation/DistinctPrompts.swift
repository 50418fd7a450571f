/// The distinct prompts of a batch in order of first appearance, and which of them each row
/// has: what lets a group's completions share one prompt pass (generation and training).
struct DistinctPrompts {
    let prompts: [[Int]]
    /// Per row, its prompt's index in `prompts`.
    let rowPrompt: [Int]

    init(_ rows: [[Int]]) {
        var prompts: [[Int]] = [], known: [[Int]: Int] = [:]
        rowPrompt = rows.map { prompt in
            if let index = known[prompt] { return index }
            known[prompt] = prompts.count
            prompts.append(prompt)
            return prompts.count - 1
        }
        self.prompts = prompts
    }
}
