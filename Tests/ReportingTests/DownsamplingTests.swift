import Foundation
import Testing
@testable import Reporting

struct DownsamplingTests {
    @Test func shortSeriesAreKept() {
        let points = (0..<10).map { (x: Double($0), y: Double($0)) }
        #expect(Downsampling.minMax(points, buckets: 5).map(\.x) == points.map(\.x))
    }

    @Test func longSeriesKeepEachBucketsExtremesInOrderAndTheirGaps() {
        var points = (0..<5000).map { (x: Double($0), y: sin(Double($0) / 50)) }
        points[1234].y = 40
        points[4321].y = .nan
        let thinned = Downsampling.minMax(points, buckets: 400)
        #expect(thinned.count <= 801)
        #expect(thinned.contains { $0.y == 40 })
        #expect(thinned.contains { $0.y.isNaN })
        let xs = thinned.filter { $0.y.isFinite }.map(\.x)
        #expect(xs == xs.sorted())
    }
}
