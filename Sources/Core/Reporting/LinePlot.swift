import Foundation

/// One line of a plot: a run's values of one metric by step, NaN where the run recorded null.
struct PlotLine {
    let label: String
    let color: String
    /// An SVG stroke-dasharray, telling apart two metrics of the same run; nil draws solid.
    let dash: String?
    let points: [(x: Double, y: Double)]
}

/// A line chart as inline SVG: title, legend, gridlines, labelled axes (step across), clipped
/// lines broken at gaps, and dots where a point has no neighbour to join (sparse evaluations).
struct LinePlot {
    let id: String
    let title: String
    let lines: [PlotLine]
    /// A fixed value axis (accuracy is always 0 to 1); nil fits the data.
    var valueRange: ClosedRange<Double>?

    private static let width = 600.0, left = 62.0, right = 18.0, plotHeight = 210.0
    private static let maxPointsPerLine = 800
    /// Lines with this few points get a dot on every point, so a handful of evaluations reads as such.
    private static let dotEveryPointUpTo = 12

    func svg() -> String {
        let plotWidth = Self.width - Self.left - Self.right
        let legend = legendRows(maxWidth: plotWidth)
        let top = 40 + Double(legend.count) * 18 + 6
        let bottom = top + Self.plotHeight
        let height = bottom + 44
        let drawn = lines.map { Downsampling.minMax($0.points, buckets: Self.maxPointsPerLine / 2) }
        let finite = drawn.flatMap { $0.filter { $0.y.isFinite } }
        let steps = finite.map(\.x)
        let xTicks = AxisTicks(lower: steps.min() ?? 0, upper: steps.max() ?? 1, target: 6, extend: false, integers: true)
        let yTicks = valueRange.map { AxisTicks(lower: $0.lowerBound, upper: $0.upperBound, target: 4, extend: true) }
            ?? AxisTicks(lower: finite.map(\.y).min() ?? 0, upper: finite.map(\.y).max() ?? 1, target: 5, extend: true)
        let x = { (step: Double) in Self.left + (step - xTicks.lower) / (xTicks.upper - xTicks.lower) * plotWidth }
        let y = { (value: Double) in bottom - (value - yTicks.lower) / (yTicks.upper - yTicks.lower) * Self.plotHeight }

        var svg = """
            <svg class="plot" viewBox="0 0 \(Self.width) \(format(height))" role="img" aria-label="\(HTMLText.escape(title))" \
            xmlns="http://www.w3.org/2000/svg">
            <text class="title" x="\(Self.left)" y="22">\(HTMLText.escape(title))</text>

            """
        for (row, entries) in legend.enumerated() {
            for entry in entries {
                let baseline = 40 + Double(row) * 18
                let line = lines[entry.index]
                if line.points.isEmpty {
                    svg += "<text class=\"legend muted\" x=\"\(format(entry.x))\" y=\"\(format(baseline))\">"
                        + "\(HTMLText.escape(legendText(line)))</text>\n"
                } else {
                    svg += "<line x1=\"\(format(entry.x))\" x2=\"\(format(entry.x + 20))\" y1=\"\(format(baseline - 4))\" "
                        + "y2=\"\(format(baseline - 4))\" stroke=\"\(line.color)\" stroke-width=\"2.5\"\(dashAttribute(line))/>"
                        + "<text class=\"legend\" x=\"\(format(entry.x + 26))\" y=\"\(format(baseline))\">\(HTMLText.escape(legendText(line)))</text>\n"
                }
            }
        }
        for tick in yTicks.values {
            svg += "<line class=\"grid\" x1=\"\(Self.left)\" x2=\"\(format(Self.left + plotWidth))\" y1=\"\(format(y(tick)))\" y2=\"\(format(y(tick)))\"/>"
                + "<text class=\"tick\" x=\"\(format(Self.left - 7))\" y=\"\(format(y(tick) + 4))\" text-anchor=\"end\">\(yTicks.label(tick))</text>\n"
        }
        for tick in xTicks.values {
            svg += "<line class=\"grid minor\" x1=\"\(format(x(tick)))\" x2=\"\(format(x(tick)))\" y1=\"\(format(top))\" y2=\"\(format(bottom))\"/>"
                + "<line class=\"axis\" x1=\"\(format(x(tick)))\" x2=\"\(format(x(tick)))\" y1=\"\(format(bottom))\" y2=\"\(format(bottom + 4))\"/>"
                + "<text class=\"tick\" x=\"\(format(x(tick)))\" y=\"\(format(bottom + 17))\" text-anchor=\"middle\">\(xTicks.label(tick))</text>\n"
        }
        svg += """
            <line class="axis" x1="\(Self.left)" x2="\(Self.left)" y1="\(format(top))" y2="\(format(bottom))"/>
            <line class="axis" x1="\(Self.left)" x2="\(format(Self.left + plotWidth))" y1="\(format(bottom))" y2="\(format(bottom))"/>
            <text class="axis-label" x="\(format(Self.left + plotWidth / 2))" y="\(format(bottom + 36))" text-anchor="middle">step</text>
            <clipPath id="clip-\(id)"><rect x="\(Self.left - 4)" y="\(format(top - 4))" width="\(format(plotWidth + 8))" height="\(format(Self.plotHeight + 8))"/></clipPath>
            <g clip-path="url(#clip-\(id))">

            """
        for (line, points) in zip(lines, drawn) where !points.isEmpty {
            let screen = points.map { (x: x($0.x), y: $0.y.isFinite ? y($0.y) : Double.nan) }
            svg += "<path d=\"\(path(screen))\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"1.8\" "
                + "stroke-linejoin=\"round\"\(dashAttribute(line))><title>\(HTMLText.escape(legendText(line)))</title></path>\n"
            for point in dots(screen) {
                svg += "<circle cx=\"\(format(point.x))\" cy=\"\(format(point.y))\" r=\"2.6\" fill=\"\(line.color)\"/>"
            }
        }
        return svg + "</g>\n</svg>"
    }

    private func legendText(_ line: PlotLine) -> String {
        line.points.isEmpty ? "\(line.label): not recorded" : line.label
    }

    /// Legend entries flowed into rows that fit the plot's width; text width is estimated from
    /// the character count (about 6.6 units a character at the legend's 12-unit font).
    private func legendRows(maxWidth: Double) -> [[(index: Int, x: Double)]] {
        var rows: [[(index: Int, x: Double)]] = [[]]
        var cursor = 0.0
        for (index, line) in lines.enumerated() {
            let width = (line.points.isEmpty ? 0 : 26) + Double(legendText(line).count) * 6.6 + 18
            if cursor > 0, cursor + width > maxWidth {
                rows.append([])
                cursor = 0
            }
            rows[rows.count - 1].append((index, Self.left + cursor))
            cursor += width
        }
        return rows
    }

    private func path(_ points: [(x: Double, y: Double)]) -> String {
        var d = ""
        var penDown = false
        for point in points {
            guard point.y.isFinite else {
                penDown = false
                continue
            }
            d += "\(penDown ? "L" : "M")\(format(point.x)) \(format(point.y))"
            penDown = true
        }
        return d
    }

    /// Every point of a short line; otherwise only points with no finite neighbour, which the
    /// path alone would not show.
    private func dots(_ points: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        let finite = points.filter { $0.y.isFinite }
        if finite.count <= Self.dotEveryPointUpTo { return finite }
        return points.indices.filter { index in
            points[index].y.isFinite && (index == 0 || !points[index - 1].y.isFinite)
                && (index == points.count - 1 || !points[index + 1].y.isFinite)
        }.map { points[$0] }
    }

    private func dashAttribute(_ line: PlotLine) -> String { line.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "" }

    private func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
