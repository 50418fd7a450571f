import RLRunABI

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

    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(api.pointee.add, b, "add") }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(api.pointee.sub, b, "sub") }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(api.pointee.mul, b, "mul") }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(api.pointee.div, b, "div") }

    public static func + (a: Tensor, s: Double) throws -> Tensor { try a.scalar(api.pointee.add_scalar, s, "add") }
    public static func - (a: Tensor, s: Double) throws -> Tensor { try a.scalar(api.pointee.sub_scalar, s, "sub") }
    public static func * (a: Tensor, s: Double) throws -> Tensor { try a.scalar(api.pointee.mul_scalar, s, "mul") }
    public static func / (a: Tensor, s: Double) throws -> Tensor { try a.scalar(api.pointee.div_scalar, s, "div") }
    public static func + (s: Double, a: Tensor) throws -> Tensor { try a.scalar(api.pointee.add_scalar, s, "add") }
    public static func - (s: Double, a: Tensor) throws -> Tensor { try a.scalar(api.pointee.rsub_scalar, s, "rsub") }
    public static func * (s: Double, a: Tensor) throws -> Tensor { try a.scalar(api.pointee.mul_scalar, s, "mul") }
    public static func / (s: Double, a: Tensor) throws -> Tensor { try a.scalar(api.pointee.rdiv_scalar, s, "rdiv") }

    public static prefix func - (a: Tensor) throws -> Tensor { try a.unary(api.pointee.neg, "neg") }

    public func matmul(_ other: Tensor) throws -> Tensor { try binary(api.pointee.matmul, other, "matmul") }
    public func pow(_ exponent: Tensor) throws -> Tensor { try binary(api.pointee.pow, exponent, "pow") }
    public func pow(_ exponent: Double) throws -> Tensor { try scalar(api.pointee.pow_scalar, exponent, "pow") }
    public func maximum(_ other: Tensor) throws -> Tensor { try binary(api.pointee.maximum, other, "maximum") }
    public func minimum(_ other: Tensor) throws -> Tensor { try binary(api.pointee.minimum, other, "minimum") }

    // MARK: Comparisons (bool tensors)

    public func eq(_ other: Tensor) throws -> Tensor { try binary(api.pointee.eq, other, "eq") }
    public func ne(_ other: Tensor) throws -> Tensor { try binary(api.pointee.ne, other, "ne") }
    public func lt(_ other: Tensor) throws -> Tensor { try binary(api.pointee.lt, other, "lt") }
    public func le(_ other: Tensor) throws -> Tensor { try binary(api.pointee.le, other, "le") }
    public func gt(_ other: Tensor) throws -> Tensor { try binary(api.pointee.gt, other, "gt") }
    public func ge(_ other: Tensor) throws -> Tensor { try binary(api.pointee.ge, other, "ge") }
    public func eq(_ value: Double) throws -> Tensor { try scalar(api.pointee.eq_scalar, value, "eq") }
    public func ne(_ value: Double) throws -> Tensor { try scalar(api.pointee.ne_scalar, value, "ne") }
    public func lt(_ value: Double) throws -> Tensor { try scalar(api.pointee.lt_scalar, value, "lt") }
    public func le(_ value: Double) throws -> Tensor { try scalar(api.pointee.le_scalar, value, "le") }
    public func gt(_ value: Double) throws -> Tensor { try scalar(api.pointee.gt_scalar, value, "gt") }
    public func ge(_ value: Double) throws -> Tensor { try scalar(api.pointee.ge_scalar, value, "ge") }
    public func logicalAnd(_ other: Tensor) throws -> Tensor { try binary(api.pointee.logical_and, other, "logical_and") }
    public func logicalOr(_ other: Tensor) throws -> Tensor { try binary(api.pointee.logical_or, other, "logical_or") }
    public func logicalNot() throws -> Tensor { try unary(api.pointee.logical_not, "logical_not") }
    public func isNaN() throws -> Tensor { try unary(api.pointee.isnan, "isnan") }
    public func isFinite() throws -> Tensor { try unary(api.pointee.isfinite, "isfinite") }

    // MARK: Unary functions

    public func abs() throws -> Tensor { try unary(api.pointee.abs, "abs") }
    public func exp() throws -> Tensor { try unary(api.pointee.exp, "exp") }
    public func log() throws -> Tensor { try unary(api.pointee.log, "log") }
    public func log1p() throws -> Tensor { try unary(api.pointee.log1p, "log1p") }
    public func expm1() throws -> Tensor { try unary(api.pointee.expm1, "expm1") }
    public func sqrt() throws -> Tensor { try unary(api.pointee.sqrt, "sqrt") }
    public func rsqrt() throws -> Tensor { try unary(api.pointee.rsqrt, "rsqrt") }
    public func square() throws -> Tensor { try unary(api.pointee.square, "square") }
    public func sin() throws -> Tensor { try unary(api.pointee.sin, "sin") }
    public func cos() throws -> Tensor { try unary(api.pointee.cos, "cos") }
    public func tanh() throws -> Tensor { try unary(api.pointee.tanh, "tanh") }
    public func sigmoid() throws -> Tensor { try unary(api.pointee.sigmoid, "sigmoid") }
    public func relu() throws -> Tensor { try unary(api.pointee.relu, "relu") }
    public func silu() throws -> Tensor { try unary(api.pointee.silu, "silu") }
    public func geluTanh() throws -> Tensor { try unary(api.pointee.gelu_tanh, "gelu_tanh") }
    public func sign() throws -> Tensor { try unary(api.pointee.sign, "sign") }
    public func floor() throws -> Tensor { try unary(api.pointee.floor, "floor") }

    /// Limits every element to [min, max]; either bound may be omitted.
    public func clamp(min: Double? = nil, max: Double? = nil) throws -> Tensor {
        try wrap(api.pointee.clamp(handle, min ?? 0, max ?? 0, min != nil, max != nil), "clamp(\(shape))")
    }

    /// Elements of `a` where `condition` is true, else of `b` (broadcast).
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        try wrap(withExtendedLifetime((condition, a, b)) { api.pointee.where(condition.handle, a.handle, b.handle) },
                 "where(\(condition.shape), \(a.shape), \(b.shape))")
    }
}
