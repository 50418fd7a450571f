import RLRunABI

/// Scales the gradients of `parameters` so that their global L2 norm is at most `maxNorm`
/// (as torch.nn.utils.clip_grad_norm_) and returns the norm before clipping. A `maxNorm`
/// of nil only measures.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Double?) throws -> Double {
    var norm = 0.0
    try withHandles(parameters) { handles, count in
        try check(api.pointee.clip_grad_norm(handles, count, maxNorm ?? 0, &norm), "clip_grad_norm")
    }
    return norm
}
