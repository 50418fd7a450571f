/// A generated word problem with its worked solution.
struct WordProblem {
    let template: String
    let difficulty: Difficulty
    let question: String
    let solution: String
    let answer: Int
    /// The template and its numbers: two problems with the same key are the same problem,
    /// whatever names and objects dress them.
    let key: String
}

/// A word-problem template: it draws its numbers, writes the question and works the
/// solution. Operands are drawn so that every intermediate result is a whole number that is
/// not negative (dividends are built as products, subtrahends drawn below what they subtract from).
struct ProblemTemplate: Sendable {
    let id: String
    let operations: Int
    let write: @Sendable (inout ProblemDraw, inout WorkedSolution) -> (question: String, answer: Int)

    /// - restates: the solution first copies the question out (`WorkedSolution.restatement`).
    func make(_ draw: inout ProblemDraw, columns: Bool = false, restates: Bool = false) -> WordProblem {
        var work = WorkedSolution(columns: columns)
        let (question, answer) = write(&draw, &work)
        precondition(work.lines.count == operations, "template \(id) worked \(work.lines.count) steps, declares \(operations)")
        let solution = (restates ? WorkedSolution.restatement(of: question) + "\n" : "") + work.text(answer: answer)
        return WordProblem(template: id, difficulty: draw.difficulty, question: question, solution: solution, answer: answer,
                           key: id + ":" + draw.numbers.map(String.init).joined(separator: ","))
    }
}
