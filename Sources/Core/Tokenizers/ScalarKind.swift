/// The four classes the pre-tokenizer regexes of byte-level BPE models are written in:
/// `\p{L}`, `\p{N}`, `\s` and everything else. Matching on these classes instead of running a
/// regex engine is what lets the built-in scanners be fast and behave the same on every platform.
enum ScalarKind: UInt8, Sendable {
    /// `\p{L}`: general categories Lu, Ll, Lt, Lm, Lo.
    case letter
    /// `\p{N}`: Nd, Nl, No.
    case number
    /// `\s` as Oniguruma (the engine Hugging Face `tokenizers` uses) defines it for Unicode:
    /// U+0009–U+000D, U+0085 and the Zs, Zl and Zp categories, which is the White_Space property.
    case whitespace
    /// Punctuation, symbols, marks, controls, unassigned code points.
    case other

    /// Class of a scalar value; the Basic Multilingual Plane is answered from a table.
    static func of(_ value: UInt32) -> ScalarKind {
        value < 0x10000 ? basicPlane[Int(value)] : computed(value)
    }

    /// Classes of U+0000–U+FFFF, built once (65k property look-ups, a few milliseconds) because
    /// general-category look-ups would otherwise dominate pre-tokenisation of non-Latin text.
    static let basicPlane: [ScalarKind] = (0 ..< UInt32(0x10000)).map(computed)

    static func computed(_ value: UInt32) -> ScalarKind {
        switch value {
        case 0x09 ... 0x0D, 0x20, 0x85: return .whitespace
        case 0x30 ... 0x39: return .number
        case 0x41 ... 0x5A, 0x61 ... 0x7A: return .letter
        case 0 ..< 0x80: return .other
        default: break
        }
        guard let scalar = Unicode.Scalar(value) else { return .other }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        case .spaceSeparator, .lineSeparator, .paragraphSeparator:
            return .whitespace
        default:
            return .other
        }
    }
}

/// A piece of UTF-8 text decoded once into scalars, their classes and byte offsets, so a scanner
/// can look ahead and back freely and report matches as byte ranges of the original piece.
struct ClassifiedText {
    var scalars: [UInt32] = []
    var kinds: [ScalarKind] = []
    /// `offsets[i]` is the byte index (in the source slice's indices) where scalar `i` starts;
    /// `offsets[count]` is the slice's end index.
    var offsets: [Int] = []

    var count: Int { scalars.count }

    /// Decodes `bytes[range]`, which must be valid UTF-8 (it always comes from a Swift `String`).
    init(_ bytes: [UInt8], _ range: Range<Int>) {
        scalars.reserveCapacity(range.count)
        kinds.reserveCapacity(range.count)
        offsets.reserveCapacity(range.count + 1)
        let basicPlane = ScalarKind.basicPlane
        bytes.withUnsafeBufferPointer { buffer in
            var i = range.lowerBound
            let n = range.upperBound
            while i < n {
                let lead = UInt32(buffer[i])
                var value: UInt32
                var length: Int
                if lead < 0x80 {
                    value = lead; length = 1
                } else if lead < 0xE0 {
                    value = lead & 0x1F; length = 2
                } else if lead < 0xF0 {
                    value = lead & 0x0F; length = 3
                } else {
                    value = lead & 0x07; length = 4
                }
                if length > 1 {
                    for k in 1 ..< length where i + k < n {
                        value = (value << 6) | (UInt32(buffer[i + k]) & 0x3F)
                    }
                }
                scalars.append(value)
                kinds.append(value < 0x10000 ? basicPlane[Int(value)] : ScalarKind.computed(value))
                offsets.append(i)
                i += length
            }
            offsets.append(n)
        }
    }
}
