/// One of the four operations, on whole numbers.
enum Operation: String {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"

    func apply(_ a: Int, _ b: Int) -> Int {
        switch self {
        case .add: a + b
        case .subtract: a - b
        case .multiply: a * b
        case .divide: a / b
        }
    }
}

/// A GSM8K-style worked solution: one line per computation, each carrying its calculator
/// annotation (`3 * 12 = <<3*12=36>>36`), and the final answer as `#### N`.
struct WorkedSolution {
    /// Work sums, differences and products column by column before each line (ColumnWorking).
    let columns: Bool
    private(set) var lines: [String] = []
    /// The lines with the column working before those that have one.
    private var written: [String] = []

    init(columns: Bool = false) { self.columns = columns }

    /// Computes `a op b`, writes the line `sentence` makes of the annotated computation, and
    /// returns the result. Templates choose operands so that every result is a whole number
    /// that is not negative; the precondition guards that promise.
    mutating func compute(_ a: Int, _ operation: Operation, _ b: Int, _ sentence: (String) -> String) -> Int {
        precondition(operation != .divide || a % b == 0, "template divides \(a) by \(b) with a remainder")
        let result = operation.apply(a, b)
        precondition(result >= 0, "template computes a negative number: \(a) \(operation.rawValue) \(b)")
        let op = operation.rawValue
        if columns, let working = ColumnWorking.text(a, operation, b) { written.append(working) }
        lines.append(sentence("\(a) \(op) \(b) = <<\(a)\(op)\(b)=\(result)>>\(result)"))
        written.append(lines.last!)
        return result
    }

    /// The opening line of a verbose teacher, who copies the question before working it.
    static func restatement(of question: String) -> String { "We are asked: \(question)" }

    func text(answer: Int) -> String { (written + ["#### \(answer)"]).joined(separator: "\n") }
}
