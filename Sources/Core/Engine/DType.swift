/// Element types the engine supports. Raw values are the codes of the C shim (`rt_dtype`).
public enum DType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case float32 = 0
    case bfloat16 = 1
    case float16 = 2
    case float64 = 3
    case int64 = 4
    case int32 = 5
    case bool = 6
    case uint8 = 7

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .bfloat16, .float16: 2
        case .bool, .uint8: 1
        }
    }

    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .bfloat16, .float16, .float64: true
        default: false
        }
    }

    /// The dtype name used in safetensors headers ("F32", "BF16", ...).
    public var safetensorsName: String {
        switch self {
        case .float32: "F32"
        case .bfloat16: "BF16"
        case .float16: "F16"
        case .float64: "F64"
        case .int64: "I64"
        case .int32: "I32"
        case .bool: "BOOL"
        case .uint8: "U8"
        }
    }

    public init?(safetensorsName: String) {
        guard let match = DType.allCases.first(where: { $0.safetensorsName == safetensorsName }) else {
            return nil
        }
        self = match
    }

    public var description: String {
        switch self {
        case .float32: "float32"
        case .bfloat16: "bfloat16"
        case .float16: "float16"
        case .float64: "float64"
        case .int64: "int64"
        case .int32: "int32"
        case .bool: "bool"
        case .uint8: "uint8"
        }
    }
}
