/// GPT-2's `bytes_to_unicode`: every byte gets a printable stand-in character so that byte-level
/// vocabularies can be stored as JSON strings. Printable Latin-1 bytes stand for themselves; the
/// other 68 bytes (controls, space, 0x7F–0xA0, 0xAD) take U+0100 upwards in byte order. A space is
/// therefore `Ġ` (U+0120) and a newline `Ċ` (U+010A) in every Qwen2, Llama-3 and GPT-2 vocabulary.
enum ByteLevelAlphabet {
    /// The stand-in scalar for each byte.
    static let scalarForByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0 ..< 256 {
            let printable = (0x21 ... 0x7E).contains(byte) || (0xA1 ... 0xAC).contains(byte) || (0xAE ... 0xFF).contains(byte)
            if printable {
                table[byte] = Unicode.Scalar(UInt32(byte))!
            } else {
                table[byte] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// The byte a stand-in scalar represents, indexed by scalar value; -1 for scalars that are not
    /// stand-ins. Every stand-in is below U+0144, so a small array replaces a dictionary.
    static let byteForScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (byte, scalar) in scalarForByte.enumerated() {
            table[Int(scalar.value)] = Int16(byte)
        }
        return table
    }()

    /// The bytes a vocabulary entry stands for, or `nil` when some character of it is not a stand-in
    /// (Hugging Face's ByteLevel decoder then falls back to the token's own UTF-8).
    static func bytes(of token: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.utf8.count)
        for scalar in token.unicodeScalars {
            let value = Int(scalar.value)
            guard value < byteForScalar.count, byteForScalar[value] >= 0 else { return nil }
            bytes.append(UInt8(byteForScalar[value]))
        }
        return bytes
    }

    /// The vocabulary spelling of raw bytes (`" hi"` → `"Ġhi"`).
    static func spelling(of bytes: some Sequence<UInt8>) -> String {
        var text = String.UnicodeScalarView()
        for byte in bytes { text.append(scalarForByte[Int(byte)]) }
        return String(text)
    }
}
