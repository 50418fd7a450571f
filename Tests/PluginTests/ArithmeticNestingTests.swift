import MathAnswers
import Testing

/// The calculator's parser recurses once per parenthesis or unary sign, so nesting is capped:
/// deeper expressions are unreadable instead of overflowing the stack (found by fuzzing).
@Suite struct ArithmeticNestingTests {
    func nested(_ depth: Int) -> String {
        String(repeating: "(", count: depth) + "2*3" + String(repeating: ")", count: depth)
    }

    @Test func ordinaryNestingStillEvaluates() {
        #expect(ArithmeticExpression.evaluate(nested(3)) == 6)
        #expect(ArithmeticExpression.evaluate(nested(150)) == 6)
        #expect(ArithmeticExpression.evaluate("--5") == 5)
        #expect(ArithmeticExpression.evaluate("-(+(-(4)))") == 4)
    }

    @Test func nestingPastTheCapIsUnreadable() {
        #expect(ArithmeticExpression.evaluate(nested(250)) == nil)
        #expect(ArithmeticExpression.evaluate(nested(100_000)) == nil)
        #expect(ArithmeticExpression.evaluate(String(repeating: "-", count: 100_000) + "7") == nil)
        let annotation = "<<" + nested(100_000) + "=6>>"
        #expect(CalculatorAnnotation.all(in: annotation).map(\.verdict) == [.unreadable])
    }
}
