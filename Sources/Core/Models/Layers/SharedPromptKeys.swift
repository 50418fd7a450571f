import Engine

/// Keys and values of prompts computed once and shared by every completion of the same prompt
/// (a GRPO group), for training passes that need gradients: unlike `KVCache` nothing is written
/// in place, so autograd sees plain `index_select` and `cat` and sums each completion's gradient
/// back into its prompt's keys.
///
/// The prompt pass records every layer's keys and values; the completion pass then reads them,
/// each row taking its prompt's (`rows[b]` is the prompt of completion row b).
final class SharedPromptKeys {
    private(set) var keys: [Tensor] = []
    private(set) var values: [Tensor] = []
    /// Nil while the prompt pass records; set before the completion pass reads.
    var rows: Tensor?

    /// In the prompt pass, records and returns this layer's keys/values [U, Hkv, P, D]; in the
    /// completion pass, returns the row's prompt keys followed by the new ones [B, Hkv, P + L, D].
    func extend(layer: Int, keys newKeys: Tensor, values newValues: Tensor) throws -> (Tensor, Tensor) {
        guard let rows else {
            keys.append(newKeys)
            values.append(newValues)
            return (newKeys, newValues)
        }
        return (try Tensor.cat([keys[layer].indexSelect(dim: 0, index: rows), newKeys], dim: 2),
                try Tensor.cat([values[layer].indexSelect(dim: 0, index: rows), newValues], dim: 2))
    }
}
