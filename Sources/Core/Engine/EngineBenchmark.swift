import RLRunABI
import Foundation

/// Measures what the engine costs: matmul throughput per dtype, and the overhead the Swift
/// layer and the C shim add to one tiny op compared with calling libtorch from C++.
public struct EngineBenchmark: Sendable {
    public struct MatmulResult: Codable, Sendable {
        public let dtype: String
        public let size: Int
        public let gflops: Double
        public let secondsPerCall: Double
    }

    public struct OverheadResult: Codable, Sendable {
        /// at::add on two 1-element tensors called in a C++ loop.
        public let cppMicrosecondsPerCall: Double
        /// The same op through `Tensor.+` (Swift object, shim call, error check, release).
        public let swiftMicrosecondsPerCall: Double
        public var overheadMicroseconds: Double { swiftMicrosecondsPerCall - cppMicrosecondsPerCall }

        enum CodingKeys: String, CodingKey { case cppMicrosecondsPerCall, swiftMicrosecondsPerCall, overheadMicroseconds }

        public init(cppMicrosecondsPerCall: Double, swiftMicrosecondsPerCall: Double) {
            self.cppMicrosecondsPerCall = cppMicrosecondsPerCall
            self.swiftMicrosecondsPerCall = swiftMicrosecondsPerCall
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(cppMicrosecondsPerCall, forKey: .cppMicrosecondsPerCall)
            try c.encode(swiftMicrosecondsPerCall, forKey: .swiftMicrosecondsPerCall)
            try c.encode(overheadMicroseconds, forKey: .overheadMicroseconds)
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            cppMicrosecondsPerCall = try c.decode(Double.self, forKey: .cppMicrosecondsPerCall)
            swiftMicrosecondsPerCall = try c.decode(Double.self, forKey: .swiftMicrosecondsPerCall)
        }
    }

    public struct Report: Codable, Sendable {
        public let torchVersion: String
        public let threads: Int
        public let device: String
        public let matmul: [MatmulResult]
        public let tinyOp: OverheadResult
        /// GB/s of summing a 1 GiB float32 tensor: the memory bandwidth a decoding step of a
        /// model too large for the caches is bound by (it reads every weight once a step).
        public let memoryReadGBPerSecond: Double
        /// GB/s of weights `NN.linear` reads for one row of x over 1 GiB of weights, by weight dtype
        /// (float32 x; bf16 weights widened as they load): how close decoding gets to that bound.
        public let decodeLinearGBPerSecond: [String: Double]
    }

    public var sizes: [Int]
    public var dtypes: [DType]
    public var device: Device
    /// Minimum measured time per data point; longer is steadier.
    public var secondsPerMeasurement: Double

    public init(sizes: [Int] = [256, 512, 1024, 2048], dtypes: [DType] = [.float32, .bfloat16],
                device: Device = .cpu, secondsPerMeasurement: Double = 0.5) {
        self.sizes = sizes
        self.dtypes = dtypes
        self.device = device
        self.secondsPerMeasurement = secondsPerMeasurement
    }

    public func run() throws -> Report {
        try Engine.prepare(device)
        let generator = try Generator(seed: 0, device: device)
        var matmul: [MatmulResult] = []
        for dtype in dtypes {
            for n in sizes {
                let a = try Tensor.randn([n, n], dtype: dtype, device: device, generator: generator)
                let b = try Tensor.randn([n, n], dtype: dtype, device: device, generator: generator)
                let seconds = try timePerCall { _ = try a.matmul(b) }
                matmul.append(MatmulResult(dtype: dtype.description, size: n,
                                           gflops: 2 * pow(Double(n), 3) / seconds / 1e9, secondsPerCall: seconds))
            }
        }
        return Report(torchVersion: Engine.torchVersion, threads: Engine.threads, device: device.description,
                      matmul: matmul, tinyOp: try tinyOpOverhead(), memoryReadGBPerSecond: try memoryRead(),
                      decodeLinearGBPerSecond: try decodeLinear())
    }

    private func decodeLinear() throws -> [String: Double] {
        let bytes = 1 << 30, inputs = 1024
        var rates: [String: Double] = [:]
        for dtype in [DType.float32, .bfloat16] {
            let weight = try Tensor.ones([bytes / dtype.byteSize / inputs, inputs], device: device).to(dtype)
            let x = try Tensor.ones([1, inputs], device: device)
            let seconds = try withNoGrad { try timePerCall { _ = try NN.linear(x, weight: weight) } }
            rates[dtype.description] = Double(bytes) / seconds / 1e9
        }
        return rates
    }

    private func memoryRead() throws -> Double {
        let bytes = 1 << 30
        let data = try Tensor.ones([bytes / 4], device: device)
        let seconds = try timePerCall { _ = try data.sum().item() as Double }
        return Double(bytes) / seconds / 1e9
    }

    private func tinyOpOverhead() throws -> OverheadResult {
        let a = try Tensor.ones([1], device: device)
        let b = try Tensor.ones([1], device: device)
        let iterations = 200_000
        // Warm both paths, then alternate and keep the best of three to damp noise.
        _ = api.pointee.bench_add_loop(a.handle, b.handle, 10_000)
        var cpp = Double.infinity
        var swift = Double.infinity
        for _ in 0..<3 {
            cpp = Swift.min(cpp, api.pointee.bench_add_loop(a.handle, b.handle, Int64(iterations)) / 1000)
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<iterations { _ = try a + b }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start)
            swift = Swift.min(swift, elapsed / Double(iterations) / 1000)
        }
        return OverheadResult(cppMicrosecondsPerCall: cpp, swiftMicrosecondsPerCall: swift)
    }

    /// Seconds per call of `body`, after a warm-up, repeated until `secondsPerMeasurement`.
    private func timePerCall(_ body: () throws -> Void) throws -> Double {
        try body()
        try Engine.synchronize(device)
        var calls = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        repeat {
            try body()
            calls += 1
            try Engine.synchronize(device)
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < secondsPerMeasurement
        return elapsed / Double(calls)
    }
}
