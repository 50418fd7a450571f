import Foundation

/// The `normalizer` of a `tokenizer.json`, applied to the text between added tokens before
/// pre-tokenisation. Qwen2 uses NFC, so that a decomposed "é" (e + U+0301) encodes like the
/// composed one; Llama 3 and GPT-2 use none.
indirect enum TextNormalizer: Sendable {
    case nfc, nfd, nfkc, nfkd
    /// Unicode full lowercase mapping.
    case lowercase
    case sequence([TextNormalizer])

    func apply(_ text: String) -> String {
        switch self {
        case .nfc: text.precomposedStringWithCanonicalMapping
        case .nfd: text.decomposedStringWithCanonicalMapping
        case .nfkc: text.precomposedStringWithCompatibilityMapping
        case .nfkd: text.decomposedStringWithCompatibilityMapping
        case .lowercase: text.lowercased()
        case .sequence(let steps): steps.reduce(text) { $1.apply($0) }
        }
    }

    /// The normalised UTF-8 of `bytes[range]`: the same buffer and range when nothing changes.
    func apply(_ bytes: [UInt8], _ range: Range<Int>) -> ([UInt8], Range<Int>) {
        guard case .nfc = self else {
            let normalized = Array(apply(String(decoding: bytes[range], as: UTF8.self)).utf8)
            return (normalized, 0 ..< normalized.count)
        }
        return Self.composing(bytes, range)
    }

    /// NFC touching only what can change. Every scalar below U+0300 (the first combining mark) has
    /// canonical combining class 0 and is NFC_Quick_Check=Yes, so NFC never alters it or lets it
    /// combine with what precedes it: text may be cut before any such scalar and normalised piece by
    /// piece. ASCII and precomposed Latin text is returned as is; other stretches (with the scalar
    /// before them, which a mark may combine with) go to Foundation, nearby ones together.
    private static func composing(_ bytes: [UInt8], _ range: Range<Int>) -> ([UInt8], Range<Int>) {
        // Lead bytes from 0xCC up start scalars from U+0300; continuation bytes are below 0xC0.
        guard var i = bytes[range].firstIndex(where: { $0 >= 0xCC }) else { return (bytes, range) }
        var output: [UInt8] = []
        output.reserveCapacity(range.count + 16)
        var copied = range.lowerBound
        let end = range.upperBound
        while i < end {
            guard bytes[i] >= 0xCC else { i += 1; continue }
            // Back up one scalar (a starter below U+0300, if there is one after what was copied).
            var start = i
            if start > copied {
                start -= 1
                while start > copied, bytes[start] & 0xC0 == 0x80 { start -= 1 }
            }
            // Extend over scalars from U+0300 up, and over short gaps between such stretches so
            // that non-Latin text makes few Foundation calls.
            var stop = i
            var lastHigh = i
            while stop < end {
                let byte = bytes[stop]
                if byte >= 0xCC || byte & 0xC0 == 0x80 {
                    if byte >= 0xCC { lastHigh = stop }
                    stop += 1
                } else if stop - lastHigh < 64 {
                    stop += 1
                } else {
                    break
                }
            }
            // Cut right after the last high scalar, before the starter that follows it.
            stop = lastHigh + 1
            while stop < end, bytes[stop] & 0xC0 == 0x80 { stop += 1 }
            output.append(contentsOf: bytes[copied ..< start])
            let chunk = String(decoding: bytes[start ..< stop], as: UTF8.self)
            output.append(contentsOf: chunk.precomposedStringWithCanonicalMapping.utf8)
            copied = stop
            i = stop
        }
        output.append(contentsOf: bytes[copied ..< end])
        return (output, 0 ..< output.count)
    }
}
