import Engine

/// What `Transformer.quantizeBase` did, in bytes held on the model's device.
public struct QuantizationReport: Sendable, Equatable, CustomStringConvertible {
    public var layers: Int
    public var blockSize: Int
    /// The quantized projections' dense weights before.
    public var denseBytes: Int
    /// The same weights after: packed codes and float32 block scales.
    public var quantizedBytes: Int
    /// Everything still dense: embeddings, norms, the output head, biases.
    public var otherBytes: Int

    public var modelBytesBefore: Int { denseBytes + otherBytes }
    public var modelBytesAfter: Int { quantizedBytes + otherBytes }

    public var description: String {
        func mb(_ bytes: Int) -> String { String(format: "%.2f MB", Double(bytes) / 1_000_000) }
        return "NF4 (blocks of \(blockSize)): \(layers) projections \(mb(denseBytes)) → \(mb(quantizedBytes)); "
            + "model \(mb(modelBytesBefore)) → \(mb(modelBytesAfter))"
    }
}

extension Transformer {
    /// True once any projection holds a 4-bit weight.
    public var isQuantized: Bool { projections(LoRAConfiguration.allProjections).contains { $0.1.isQuantized } }

    /// QLoRA's frozen base: every attention and MLP projection (q/k/v/o/gate/up/down) of every
    /// block becomes 4-bit NF4 and its dense weight is released. Embeddings, norms and the
    /// output head stay dense (they are small next to the projections, or tied, and the head
    /// is most sensitive to rounding). Call it before `addLoRA` and before building an
    /// optimiser; train only `loraParameters()` afterwards: `parameters()` no longer lists the
    /// quantized weights, so full fine-tuning would silently leave them out.
    @discardableResult
    public func quantizeBase(blockSize: Int = 64) throws -> QuantizationReport {
        let layers = projections(LoRAConfiguration.allProjections)
        guard !layers.contains(where: { $0.1.isQuantized }) else {
            throw ModelError("the model's projections are already 4-bit quantized")
        }
        var report = QuantizationReport(layers: layers.count, blockSize: blockSize, denseBytes: 0, quantizedBytes: 0, otherBytes: 0)
        for (path, layer) in layers {
            do {
                try layer.quantize(blockSize: blockSize)
            } catch {
                throw ModelError("4-bit quantization of \(path).weight: \(error)")
            }
            guard let quantized = layer.quantizedWeight else { continue }
            report.denseBytes += quantized.denseByteCount
            report.quantizedBytes += quantized.byteCount
        }
        report.otherBytes = parameters().reduce(0) { $0 + $1.1.count * $1.1.dtype.byteSize }
        return report
    }

    /// Every parameter by its Hugging Face name, 4-bit projections dequantized to their
    /// original dtype: what `save` writes, so a saved folder loads as a dense model (rounded
    /// to NF4's levels). All of them are dense at once while saving.
    func denseParameters() throws -> [(String, Tensor)] {
        var all = parameters()
        for (path, layer) in projections(LoRAConfiguration.allProjections) where layer.isQuantized {
            all.append(("\(path).weight", try layer.weight))
        }
        return all
    }
}
