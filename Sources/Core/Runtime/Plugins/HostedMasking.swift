import RLRunABI
import RLRunSDK

/// A masking plugin loaded through the C ABI, seen as a `MaskingStrategy`. The mask is
/// checked to touch eligible positions only.
public final class HostedMasking: @unchecked Sendable {
    public let instance: PluginInstance

    init(_ instance: PluginInstance) { self.instance = instance }

    public var needsConfidence: Bool { instance.descriptor.flags & UInt32(RLRUN_FLAG_NEEDS_CONFIDENCE) != 0 }
    public var needsAttention: Bool { instance.descriptor.flags & UInt32(RLRUN_FLAG_NEEDS_ATTENTION) != 0 }

    public func choose(_ request: MaskingRequest) throws -> MaskingChoice {
        let n = request.batch * request.length
        guard request.tokens.count == n, request.eligible.count == n, request.confidence.map({ $0.count == n }) ?? true,
              request.attention.map({ $0.count == n }) ?? true else {
            throw PluginCallError(plugin: instance.descriptor.label, call: "choose", message: "request arrays must hold batch × length entries")
        }
        var mask = [UInt8](repeating: 0, count: n)
        var rate = 0.0
        let eligible = request.eligible.map { UInt8($0 ? 1 : 0) }
        let choose = instance.calls.load(as: rlrun_masking_calls.self).choose!
        try request.tokens.withUnsafeBufferPointer { tokens in
            try eligible.withUnsafeBufferPointer { eligible in
                try withOptionalBuffer(request.confidence) { confidence in
                    try withOptionalBuffer(request.attention) { attention in
                        var c = rlrun_masking_request(
                            size: UInt32(MemoryLayout<rlrun_masking_request>.size), batch: UInt32(request.batch),
                            length: UInt32(request.length), tokens: tokens.baseAddress, eligible: eligible.baseAddress,
                            confidence: confidence, attention: attention, progress: request.progress,
                            recent_reward: request.recentReward ?? .nan, recent_accuracy: request.recentAccuracy ?? .nan,
                            seed: request.seed)
                        try instance.call("choose") { choose(instance.handle, &c, &mask, &rate, $0) }
                    }
                }
            }
        }
        for i in 0..<n where mask[i] != 0 && !request.eligible[i] {
            throw PluginCallError(plugin: instance.descriptor.label, call: "choose", message: "masked position \(i), which is not eligible")
        }
        guard rate.isFinite else {
            throw PluginCallError(plugin: instance.descriptor.label, call: "choose", message: "rate is \(rate)")
        }
        return MaskingChoice(mask: mask.map { $0 != 0 }, rate: rate)
    }
}

private func withOptionalBuffer<R>(_ values: [Float]?, _ body: (UnsafePointer<Float>?) throws -> R) rethrows -> R {
    guard let values else { return try body(nil) }
    return try values.withUnsafeBufferPointer { try body($0.baseAddress) }
}
