import CTorch

// Elementwise arithmetic, comparisons and unary functions. Binary operations broadcast as in
// PyTorch; mismatched shapes or dtypes throw a TorchError naming the operation.

typealias BinaryOp = (rt_tensor?, rt_tensor?) -> rt_tensor?
typealias ScalarOp = (rt_tensor?, Double) -> rt_tensor?
typealias UnaryOp = (rt_tensor?) -> rt_tensor?

extension Tensor {
    @inline(__always)
    func binary(_ op: BinaryOp, _ other: Tensor, _ name: @autoclosure () -> String) throws -> Tensor {
        try wrap(withExtendedLifetime(other) { op(handle, other.handle) }, "\(name())(\(shape), \(other.shape))")
    }

    @inline(__always)
    func scalar(_ op: ScalarOp, _ value: Double, _ name: @autoclosure () -> String) throws -> Tensor {
        try wrap(op(handle, value), "\(name())(\(shape), \(value))")
    }

    @inline(__always)
    func unary(_ op: UnaryOp, _ name: @autoclosure () -> String) throws -> Tensor {
        try wrap(op(handle), "\(name())(\(shape))")
    }

    // MARK: Operators

    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(rt_add, b, "add") }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(rt_sub, b, "sub") }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(rt_mul, b, "mul") }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(rt_div, b, "div") }

    public static func + (a: Tensor, s: Double) throws -> Tensor { try a.scalar(rt_add_scalar, s, "add") }
    public static func - (a: Tensor, s: Double) throws -> Tensor { try a.scalar(rt_sub_scalar, s, "sub") }
    public static func * (a: Tensor, s: Double) throws -> Tensor { try a.scalar(rt_mul_scalar, s, "mul") }
    public static func / (a: Tensor, s: Double) throws -> Tensor { try a.scalar(rt_div_scalar, s, "div") }
    public static func + (s: Double, a: Tensor) throws -> Tensor { try a.scalar(rt_add_scalar, s, "add") }
    public static func - (s: Double, a: Tensor) throws -> Tensor { try a.scalar(rt_rsub_scalar, s, "rsub") }
    public static func * (s: Double, a: Tensor) throws -> Tensor { try a.scalar(rt_mul_scalar, s, "mul") }
    public static func / (s: Double, a: Tensor) throws -> Tensor { try a.scalar(rt_rdiv_scalar, s, "rdiv") }

    public static prefix func - (a: Tensor) throws -> Tensor { try a.unary(rt_neg, "neg") }

    public func matmul(_ other: Tensor) throws -> Tensor { try binary(rt_matmul, other, "matmul") }
    public func pow(_ exponent: Tensor) throws -> Tensor { try binary(rt_pow, exponent, "pow") }
    public func pow(_ exponent: Double) throws -> Tensor { try scalar(rt_pow_scalar, exponent, "pow") }
    public func maximum(_ other: Tensor) throws -> Tensor { try binary(rt_maximum, other, "maximum") }
    public func minimum(_ other: Tensor) throws -> Tensor { try binary(rt_minimum, other, "minimum") }

    // MARK: Comparisons (bool tensors)

    public func eq(_ other: Tensor) throws -> Tensor { try binary(rt_eq, other, "eq") }
    public func ne(_ other: Tensor) throws -> Tensor { try binary(rt_ne, other, "ne") }
    public func lt(_ other: Tensor) throws -> Tensor { try binary(rt_lt, other, "lt") }
    public func le(_ other: Tensor) throws -> Tensor { try binary(rt_le, other, "le") }
    public func gt(_ other: Tensor) throws -> Tensor { try binary(rt_gt, other, "gt") }
    public func ge(_ other: Tensor) throws -> Tensor { try binary(rt_ge, other, "ge") }
    public func eq(_ value: Double) throws -> Tensor { try scalar(rt_eq_scalar, value, "eq") }
    public func ne(_ value: Double) throws -> Tensor { try scalar(rt_ne_scalar, value, "ne") }
    public func lt(_ value: Double) throws -> Tensor { try scalar(rt_lt_scalar, value, "lt") }
    public func le(_ value: Double) throws -> Tensor { try scalar(rt_le_scalar, value, "le") }
    public func gt(_ value: Double) throws -> Tensor { try scalar(rt_gt_scalar, value, "gt") }
    public func ge(_ value: Double) throws -> Tensor { try scalar(rt_ge_scalar, value, "ge") }
    public func logicalAnd(_ other: Tensor) throws -> Tensor { try binary(rt_logical_and, other, "logical_and") }
    public func logicalOr(_ other: Tensor) throws -> Tensor { try binary(rt_logical_or, other, "logical_or") }
    public func logicalNot() throws -> Tensor { try unary(rt_logical_not, "logical_not") }
    public func isNaN() throws -> Tensor { try unary(rt_isnan, "isnan") }
    public func isFinite() throws -> Tensor { try unary(rt_isfinite, "isfinite") }

    // MARK: Unary functions

    public func abs() throws -> Tensor { try unary(rt_abs, "abs") }
    public func exp() throws -> Tensor { try unary(rt_exp, "exp") }
    public func log() throws -> Tensor { try unary(rt_log, "log") }
    public func log1p() throws -> Tensor { try unary(rt_log1p, "log1p") }
    public func expm1() throws -> Tensor { try unary(rt_expm1, "expm1") }
    public func sqrt() throws -> Tensor { try unary(rt_sqrt, "sqrt") }
    public func rsqrt() throws -> Tensor { try unary(rt_rsqrt, "rsqrt") }
    public func square() throws -> Tensor { try unary(rt_square, "square") }
    public func sin() throws -> Tensor { try unary(rt_sin, "sin") }
    public func cos() throws -> Tensor { try unary(rt_cos, "cos") }
    public func tanh() throws -> Tensor { try unary(rt_tanh, "tanh") }
    public func sigmoid() throws -> Tensor { try unary(rt_sigmoid, "sigmoid") }
    public func relu() throws -> Tensor { try unary(rt_relu, "relu") }
    public func silu() throws -> Tensor { try unary(rt_silu, "silu") }
    public func geluTanh() throws -> Tensor { try unary(rt_gelu_tanh, "gelu_tanh") }
    public func sign() throws -> Tensor { try unary(rt_sign, "sign") }
    public func floor() throws -> Tensor { try unary(rt_floor, "floor") }

    /// Limits every element to [min, max]; either bound may be omitted.
    public func clamp(min: Double? = nil, max: Double? = nil) throws -> Tensor {
        try wrap(rt_clamp(handle, min ?? 0, max ?? 0, min != nil, max != nil), "clamp(\(shape))")
    }

    /// Elements of `a` where `condition` is true, else of `b` (broadcast).
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        try wrap(withExtendedLifetime((condition, a, b)) { rt_where(condition.handle, a.handle, b.handle) },
                 "where(\(condition.shape), \(a.shape), \(b.shape))")
    }
}
