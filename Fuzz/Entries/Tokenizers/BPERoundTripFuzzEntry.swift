import Tokenizers

/// What the round-trip fuzzer checks for one input, shared with the regression tests: the input
/// bytes, read as UTF-8 (invalid sequences become U+FFFD), are a text that each of the fixed
/// lossless tokenizers must give back exactly from its own ids, and encode the same way twice
/// (the second time from the word cache).
public enum BPERoundTripFuzzEntry {
    /// A text some tokenizer did not give back, with what it gave instead.
    public struct Mismatch: Error, CustomStringConvertible {
        public let style: String
        public let text: String
        public let ids: [Int]
        public let decoded: String
        public let cachedIDs: [Int]

        public var description: String {
            "\(style): decode(encode(\(text.debugDescription))) = \(decoded.debugDescription) via ids \(ids)"
                + (cachedIDs == ids ? "" : "; encoding it again gave \(cachedIDs)")
        }
    }

    /// nil when the round trip holds for every tokenizer.
    public static func check(_ bytes: [UInt8]) -> Mismatch? {
        let text = String(decoding: bytes, as: UTF8.self)
        for (style, tokenizer) in RoundTripTokenizers.all {
            let ids = tokenizer.encode(text)
            let decoded = tokenizer.decode(ids)
            let again = tokenizer.encode(text)
            // Bytes, not String ==, which would let a canonically equivalent rewrite pass.
            if !decoded.utf8.elementsEqual(text.utf8) || again != ids {
                return Mismatch(style: style, text: text, ids: ids, decoded: decoded, cachedIDs: again)
            }
        }
        return nil
    }
}
