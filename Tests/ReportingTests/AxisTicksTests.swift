import Testing
@testable import Reporting

struct AxisTicksTests {
    func labels(_ lower: Double, _ upper: Double, target: Int = 5, extend: Bool = true, integers: Bool = false) -> [String] {
        let ticks = AxisTicks(lower: lower, upper: upper, target: target, extend: extend, integers: integers)
        return ticks.values.map(ticks.label)
    }

    @Test func unitRangeInQuarters() {
        #expect(labels(0, 1, target: 4) == ["0", "0.25", "0.5", "0.75", "1"])
    }

    @Test func extendingWidensToRoundValues() {
        let ticks = AxisTicks(lower: 0.13, upper: 0.87, target: 5, extend: true)
        #expect(ticks.values.map(ticks.label) == ["0", "0.2", "0.4", "0.6", "0.8", "1"])
        #expect(ticks.lower == 0 && ticks.upper == 1)
    }

    @Test func stepsAreWholeAndStayInsideTheData() {
        #expect(labels(1, 30, target: 6, extend: false, integers: true) == ["5", "10", "15", "20", "25", "30"])
        #expect(labels(0, 3, target: 6, extend: false, integers: true) == ["0", "1", "2", "3"])
        #expect(labels(0, 5000, target: 6, extend: false, integers: true) == ["0", "1000", "2000", "3000", "4000", "5000"])
    }

    @Test func noFloatingPointDriftInLabels() {
        #expect(labels(0, 0.3, target: 3) == ["0", "0.1", "0.2", "0.3"])
        #expect(labels(-0.3, 0.1, target: 4) == ["-0.3", "-0.2", "-0.1", "0", "0.1"])
    }

    @Test func tinyValuesUseShortScientificNotation() {
        #expect(labels(0, 1e-6, target: 4) == ["0", "2.5e-7", "5e-7", "7.5e-7", "1e-6"])
    }

    @Test func aConstantSeriesSitsMidAxis() {
        let zero = AxisTicks(lower: 0, upper: 0, target: 4, extend: true)
        #expect(zero.lower < 0 && zero.upper > 0)
        let one = AxisTicks(lower: 7, upper: 7, target: 4, extend: false, integers: true)
        #expect(one.values == [6, 7, 8])
    }
}
