/// Per-dimension running mean and variance (Welford), for whitening inputs and normalising
/// the novelty by its spread as RND does.
struct RunningMoments {
    private(set) var count: Double = 0
    private(set) var mean: [Double]
    private(set) var squaredDeviations: [Double]

    init(dimensions: Int) {
        mean = [Double](repeating: 0, count: dimensions)
        squaredDeviations = mean
    }

    init(count: Double, mean: [Double], squaredDeviations: [Double]) {
        self.count = count
        self.mean = mean
        self.squaredDeviations = squaredDeviations
    }

    mutating func add(_ sample: [Double]) {
        count += 1
        for k in sample.indices {
            let delta = sample[k] - mean[k]
            mean[k] += delta / count
            squaredDeviations[k] += delta * (sample[k] - mean[k])
        }
    }

    /// Population standard deviation per dimension (0 until two samples are seen).
    var standardDeviation: [Double] {
        squaredDeviations.map { count > 1 ? ($0 / count).squareRoot() : 0 }
    }
}
