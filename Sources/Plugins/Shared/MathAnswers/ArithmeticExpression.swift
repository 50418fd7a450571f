/// Evaluates the arithmetic of a GSM8K calculator annotation: numbers (with optional
/// decimals, thousands commas dropped), `+ - * /`, unary minus and parentheses, with the usual
/// precedence. Anything else (letters, `%`, `^`) makes the expression unreadable: the
/// calculator of GSM8K's protocol accepts only `0-9*+-/.()` as well. So does nesting deeper
/// than `maximumNesting` (parentheses and unary signs): the parser recurses once per level, and
/// a completion of a hundred thousand "(" would otherwise overflow the stack.
public enum ArithmeticExpression {
    static let maximumNesting = 200

    public static func evaluate(_ text: String) -> Double? {
        var parser = Parser(Array(text.replacingOccurrences(of: ",", with: "").unicodeScalars.filter { $0 != " " }))
        guard let value = parser.sum(), parser.atEnd, value.isFinite else { return nil }
        return value
    }

    private struct Parser {
        let characters: [Unicode.Scalar]
        var position = 0
        /// Parentheses and unary signs open around the current position.
        var nesting = 0

        init(_ characters: [Unicode.Scalar]) { self.characters = characters }

        var atEnd: Bool { position == characters.count }
        private var next: Unicode.Scalar? { atEnd ? nil : characters[position] }

        mutating func sum() -> Double? {
            guard var value = product() else { return nil }
            while let op = next, op == "+" || op == "-" {
                position += 1
                guard let rhs = product() else { return nil }
                value = op == "+" ? value + rhs : value - rhs
            }
            return value
        }

        mutating func product() -> Double? {
            guard var value = factor() else { return nil }
            while let op = next, op == "*" || op == "/" {
                position += 1
                guard let rhs = factor() else { return nil }
                value = op == "*" ? value * rhs : value / rhs
            }
            return value
        }

        mutating func factor() -> Double? {
            guard nesting < ArithmeticExpression.maximumNesting else { return nil }
            nesting += 1
            defer { nesting -= 1 }
            switch next {
            case "-":
                position += 1
                return factor().map { -$0 }
            case "+":
                position += 1
                return factor()
            case "(":
                position += 1
                guard let value = sum(), next == ")" else { return nil }
                position += 1
                return value
            default:
                return number()
            }
        }

        mutating func number() -> Double? {
            let start = position
            while let c = next, ("0"..."9").contains(c) || c == "." { position += 1 }
            return Double(String(String.UnicodeScalarView(characters[start..<position])))
        }
    }
}
