import MathAnswers
import Testing

@Suite struct CalculatorTests {
    @Test func evaluatesPlainArithmetic() {
        #expect(ArithmeticExpression.evaluate("48/2") == 24)
        #expect(ArithmeticExpression.evaluate("100-50-30-15") == 5)
        #expect(ArithmeticExpression.evaluate("2+3*4") == 14)
        #expect(ArithmeticExpression.evaluate("(2+3)*4") == 20)
        #expect(ArithmeticExpression.evaluate("-3+10") == 7)
        #expect(ArithmeticExpression.evaluate("15/.25") == 60)
        #expect(ArithmeticExpression.evaluate("1,200*2") == 2400)
        #expect(ArithmeticExpression.evaluate(" 6 - 2 ") == 4)
        #expect(ArithmeticExpression.evaluate("560//10") == nil)
        #expect(ArithmeticExpression.evaluate("3x") == nil)
        #expect(ArithmeticExpression.evaluate("(2+3") == nil)
        #expect(ArithmeticExpression.evaluate("1/0") == nil)
        #expect(ArithmeticExpression.evaluate("") == nil)
    }

    @Test func checksAnnotations() {
        let annotations = CalculatorAnnotation.all(in: """
            He sold 48/2 = <<48/2=24>>24, then <<24*3=73>>73, about <<10/3=3.33>>3.33 each,
            <<10/3=3>>3, $<<0.2*50=10>>10, <<3/4=3/4>> and <<1,000+1=1,001>>.
            """)
        #expect(annotations.map(\.verdict) == [.correct, .wrong, .correct, .wrong, .correct, .unreadable, .correct])
        #expect(annotations[1].expression == "24*3" && annotations[1].resultValue == 73)
    }

    @Test func findsComputedResults() {
        let text = "48/2 = <<48/2=24>>24 clips. Total = 72.\n5 + 3 = 8 - 2 = 6\n$5400/week * 4 weeks = $21600\n23 meters – 13 meters = 10 meters"
        #expect(Computations.results(in: text).map(\.value) == [24, 8, 6, 21600, 10])
        #expect(Computations.results(in: "x = 5 and 8p = 5p + 3").isEmpty)
    }

    @Test func statedAnswersAreAllFound() {
        let stated = AnswerExtractor.statedAnswers(in: "<answer>7</answer> \\boxed{8} \\boxed{9}\n#### 10\nThe answer is 11.\nAnswer: 12")
        #expect(stated.map(\.answer.value) == [7, 8, 9, 10, 11, 12])
    }
}
