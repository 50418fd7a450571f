import Foundation

/// Tick positions at round values (1, 2, 2.5 or 5 times a power of ten) and their labels, with
/// as few digits as the spacing needs.
struct AxisTicks: Equatable {
    let values: [Double]
    let spacing: Double
    /// The axis range: the data range, or with `extend` widened to the outer ticks.
    let lower: Double
    let upper: Double

    /// About `target` ticks over [lower, upper]; `integers` keeps the spacing whole (steps).
    init(lower dataLower: Double, upper dataUpper: Double, target: Int, extend: Bool, integers: Bool = false) {
        var (lower, upper) = (dataLower, dataUpper)
        if upper <= lower {
            // One value: give it room so it sits mid-axis rather than on an edge.
            let pad = integers ? 1 : (lower == 0 ? 0.5 : abs(lower) * 0.1)
            (lower, upper) = (lower - pad, upper + pad)
        }
        let raw = (upper - lower) / Double(max(1, target))
        let magnitude = pow(10, floor(log10(raw)))
        var spacing = [1, 2, 2.5, 5, 10].map { $0 * magnitude }
            .first { $0 >= raw * (1 - 1e-9) && (!integers || $0 == $0.rounded()) } ?? 10 * magnitude
        if integers { spacing = max(1, spacing) }
        let first = (extend ? floor(lower / spacing + 1e-9) : ceil(lower / spacing - 1e-9))
        let last = (extend ? ceil(upper / spacing - 1e-9) : floor(upper / spacing + 1e-9))
        // Multiplying, not accumulating, so 0.1 + 0.1 + 0.1 drift never shows in a label.
        values = stride(from: first, through: last, by: 1).map { index in
            let value = index * spacing
            return abs(value) < spacing * 1e-9 ? 0 : value
        }
        self.spacing = spacing
        self.lower = extend ? min(lower, first * spacing) : lower
        self.upper = extend ? max(upper, last * spacing) : upper
    }

    func label(_ value: Double) -> String {
        if value == 0 { return "0" }
        let largest = max(abs(lower), abs(upper))
        if largest < 1e-3 || largest >= 1e6 { return Self.scientific(value) }
        // Enough decimals for the spacing (0.25 needs two), less trailing zeros: 0, 0.25, 0.5.
        let decimals = (0...10).first { abs((spacing * pow(10, Double($0))).rounded() - spacing * pow(10, Double($0))) < 1e-6 } ?? 10
        var text = String(format: "%.\(decimals)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// 2.5e-06 → 2.5e-6: shorter, and how people write learning rates.
    static func scientific(_ value: Double) -> String {
        let text = String(format: "%.3g", value)
        guard let e = text.firstIndex(of: "e") else { return text }
        let exponent = Int(text[text.index(after: e)...]) ?? 0
        return "\(text[..<e])e\(exponent)"
    }
}
