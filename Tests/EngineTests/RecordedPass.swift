import Testing
@testable import Engine

/// One pass through an op under test, with the gradients of a loss of its output for the
/// operands that require them: what a shim kernel's autograd node is compared with libtorch's by.
struct RecordedPass {
    var output: [Float]
    var gradients: [String: [Float]]

    /// The operands named in `trained` become fresh leaves that require gradients; `loss` of
    /// `forward`'s output is back-propagated when any does.
    init(operands: [String: Tensor], trained: Set<String>, forward: ([String: Tensor]) throws -> Tensor,
         loss: (Tensor) throws -> Tensor) throws {
        let leaves = try operands.reduce(into: [String: Tensor]()) { leaves, operand in
            leaves[operand.key] = trained.contains(operand.key) ? try operand.value.detached().requiringGrad() : operand.value
        }
        let y = try forward(leaves)
        if !trained.isEmpty { try loss(y).backward() }
        var gradients: [String: [Float]] = [:]
        for name in trained { gradients[name] = try #require(leaves[name]?.grad).toArray(Float.self) }
        output = try y.toArray(Float.self)
        self.gradients = gradients
    }
}

/// a within 2e-5 of b, relative to b's largest magnitude (at least 1).
func expectWithinScale(_ a: [Float], _ b: [Float], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let scale = max(b.map { abs($0) }.max() ?? 1, 1)
    let worst = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
    #expect(a.count == b.count && worst <= 2e-5 * scale, "\(what): off by \(worst) at scale \(scale)", sourceLocation: sourceLocation)
}
