/// Thins a long series for drawing: each of `buckets` runs of consecutive points keeps its lowest
/// and highest value, in step order, so spikes survive; a bucket holding a gap keeps the gap.
enum Downsampling {
    static func minMax(_ points: [(x: Double, y: Double)], buckets: Int) -> [(x: Double, y: Double)] {
        guard points.count > 2 * buckets else { return points }
        var result: [(x: Double, y: Double)] = []
        for bucket in 0..<buckets {
            let slice = points[points.count * bucket / buckets..<points.count * (bucket + 1) / buckets]
            let finite = slice.filter { $0.y.isFinite }
            if let low = finite.min(by: { $0.y < $1.y }), let high = finite.max(by: { $0.y < $1.y }) {
                result += low.x <= high.x ? [low, high] : [high, low]
            }
            if finite.count < slice.count, let gap = slice.first(where: { !$0.y.isFinite }) { result.append(gap) }
        }
        return result
    }
}
