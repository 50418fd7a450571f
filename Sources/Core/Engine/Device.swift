import RLRunABI

/// Where a tensor lives.
public enum Device: Sendable, Equatable, CustomStringConvertible {
    case cpu
    case cuda(Int)

    /// Parses "cpu", "cuda" or "cuda:N".
    public init(parsing text: String) throws {
        switch text {
        case "cpu": self = .cpu
        case "cuda": self = .cuda(0)
        default:
            if text.hasPrefix("cuda:"), let index = Int(text.dropFirst(5)), index >= 0 {
                self = .cuda(index)
            } else {
                throw TorchError("unknown device '\(text)': use cpu, cuda or cuda:N")
            }
        }
    }

    public var description: String {
        switch self {
        case .cpu: "cpu"
        case .cuda(let index): "cuda:\(index)"
        }
    }

    var code: (type: Int32, index: Int32) {
        switch self {
        case .cpu: (Int32(RT_CPU.rawValue), -1)
        case .cuda(let index): (Int32(RT_CUDA.rawValue), Int32(index))
        }
    }

    func options(_ dtype: DType) -> rt_options {
        rt_options(dtype: dtype.rawValue, device_type: code.type, device_index: code.index)
    }
}

/// Process-wide engine settings and facts.
public enum Engine {
    /// The libtorch version the shim was compiled against, e.g. "2.11.0".
    public static var torchVersion: String { String(cString: api.pointee.torch_version()!) }

    /// Intra-op CPU threads libtorch uses.
    public static var threads: Int { Int(api.pointee.get_num_threads()) }

    public static func setThreads(_ count: Int) throws {
        guard count > 0 else { throw TorchError("thread count must be positive, got \(count)") }
        try check(api.pointee.set_num_threads(Int32(count)), "set_num_threads")
    }

    /// Whether this CPU multiplies bfloat16 natively (AVX-512 BF16 or AMX). Without it libtorch
    /// falls back to a slow path: measured 0.3-1 GFLOP/s for bf16 matmul against 176-179 for
    /// f32 on an AVX2-only EPYC, so bf16 compute on such a CPU is a trap, not a speed-up.
    /// nil where the CPU's flags cannot be read (not Linux).
    public static var cpuHasNativeBFloat16: Bool? {
        cpuFlags.map { $0.contains("avx512_bf16") || $0.contains("amx_bf16") }
    }

    /// Whether decoding's few-row linear layers run on the shim's AVX2 + FMA kernel.
    public static var cpuHasAVX2FMA: Bool? { cpuFlags.map { $0.contains("avx2") && $0.contains("fma") } }

    /// The flags line of /proc/cpuinfo; nil where it cannot be read (not Linux).
    private static var cpuFlags: Set<Substring>? {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        return info.split(separator: "\n").first { $0.hasPrefix("flags") }.map { Set($0.split(separator: " ")) } ?? []
    }

    /// A warning for bf16 compute on a CPU without native bf16, or nil when there is nothing to say.
    public static func bfloat16Warning(dtype: DType, device: Device) -> String? {
        guard dtype == .bfloat16, device == .cpu, cpuHasNativeBFloat16 == false else { return nil }
        return "this CPU has no native bfloat16 (no avx512_bf16 or amx_bf16 flag): libtorch's bf16 matmuls run on a slow "
            + "fallback, often 100x slower than float32 (decoding uses rlrun's own kernel, training passes do not); compute in "
            + "float32 here, with --weight-dtype bfloat16 to keep bf16 weights"
    }

    /// Loads libtorch's CUDA library next to the CPU one and checks that a device is usable.
    /// Throws an error saying why not (no CUDA build of libtorch, no driver, no GPU).
    public static func requireCUDA() throws {
        if api.pointee.cuda_load() != 1 { throw TorchError.last("CUDA is not available") }
    }

    public static var cudaDeviceCount: Int {
        guard api.pointee.cuda_load() == 1 else { return 0 }
        return max(0, Int(api.pointee.cuda_device_count()))
    }

    /// Checks that `device` can be used, loading CUDA support when needed.
    public static func prepare(_ device: Device) throws {
        guard case .cuda(let index) = device else { return }
        try requireCUDA()
        let count = cudaDeviceCount
        guard index < count else {
            throw TorchError("device cuda:\(index) does not exist (\(count) CUDA device(s) visible)")
        }
    }

    /// Waits for queued GPU work (for timing); no-op on CPU.
    public static func synchronize(_ device: Device) throws {
        if case .cuda(let index) = device { try check(api.pointee.cuda_synchronize(Int32(index)), "cuda synchronize") }
    }
}
