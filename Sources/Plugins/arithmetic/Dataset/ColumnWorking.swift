/// A computation worked column by column before its result is written, the way it is done on
/// paper: `37 + 24: 7 + 4 = 11, carry 1; 3 + 2 + 1 = 6.` Each column is a one-digit fact
/// (plus a carry or borrow), the same hundred facts for every problem, so a small model can
/// learn them from few examples and what it learns on one problem carries over to the next.
/// The last column's result is written whole; the answer is it followed by the units digits
/// of the earlier columns, last to first.
enum ColumnWorking {
    /// The working of `a op b`, or nil where there are no columns to work: a one-digit fact,
    /// a division (a multiplication fact read backwards), or a product of two numbers that
    /// both have more than one digit.
    static func text(_ a: Int, _ operation: Operation, _ b: Int) -> String? {
        let columns: [String]?
        switch operation {
        case .add: columns = a < 10 && b < 10 ? nil : addition(a, b)
        case .subtract: columns = a < 10 ? nil : subtraction(a, b)
        case .multiply: columns = multiplication(a, b)
        case .divide: columns = nil
        }
        return columns.map { "\(a) \(operation.rawValue) \(b): " + $0.joined(separator: "; ") + "." }
    }

    /// Digits, units first.
    static func digits(_ value: Int) -> [Int] {
        var digits: [Int] = [], rest = value
        repeat {
            digits.append(rest % 10)
            rest /= 10
        } while rest > 0
        return digits
    }

    static func addition(_ a: Int, _ b: Int) -> [String] {
        let x = digits(a), y = digits(b)
        return carrying(columns: max(x.count, y.count)) { column, carry in
            let p = column < x.count ? x[column] : 0, q = column < y.count ? y[column] : 0
            return ("\(p) + \(q)", p + q + carry)
        }
    }

    /// `a - b` for a >= b; a column that borrows is written with its ten: `13 - 7 = 6, borrow 1`.
    static func subtraction(_ a: Int, _ b: Int) -> [String] {
        precondition(a >= b, "column subtraction of \(b) from the smaller \(a)")
        let x = digits(a), y = digits(b)
        var borrow = 0
        return x.indices.map { column in
            let q = column < y.count ? y[column] : 0
            let lends = x[column] - borrow < q
            let top = x[column] + (lends ? 10 : 0)
            var step = "\(top) - \(q)" + (borrow > 0 ? " - \(borrow)" : "") + " = \(top - q - borrow)"
            borrow = lends ? 1 : 0
            if lends { step += ", borrow 1" }
            return step
        }
    }

    /// A product with a factor of at most 10, the other factor's digits times it, units first;
    /// nil when both factors have one digit (a fact) or both are above 10.
    static func multiplication(_ a: Int, _ b: Int) -> [String]? {
        let (factor, number) = a <= 10 ? (a, b) : (b, a)
        guard factor <= 10, number >= 10 else { return nil }
        let x = digits(number)
        return carrying(columns: x.count) { column, carry in ("\(factor) * \(x[column])", factor * x[column] + carry) }
    }

    /// Columns units first, each one's tens carried into the next and the last written whole;
    /// `column` gives a column's sum before the carry is added, and its value with it.
    private static func carrying(columns count: Int, _ column: (_ index: Int, _ carry: Int) -> (sum: String, value: Int)) -> [String] {
        var carry = 0
        return (0..<count).map { index in
            let (sum, value) = column(index, carry)
            var step = sum + (carry > 0 ? " + \(carry)" : "") + " = \(value)"
            carry = value / 10
            if carry > 0 && index < count - 1 { step += ", carry \(carry)" }
            return step
        }
    }
}
