/// Turns the decoded `tokenizer.json` into the working parts of a `BPETokenizer`, refusing with a
/// precise `TokenizerError.unsupported` whatever rlrun does not implement, so that a model is never
/// silently tokenised differently from how it was trained.
struct TokenizerPipelineBuilder {
    /// The file name used in error messages.
    let path: String

    func normalizer(_ spec: NormalizerSpec?) throws -> TextNormalizer? {
        guard let spec else { return nil }
        switch spec.type {
        case "NFC": return .nfc
        case "NFD": return .nfd
        case "NFKC": return .nfkc
        case "NFKD": return .nfkd
        case "Lowercase": return .lowercase
        case "Sequence":
            let steps = try (spec.normalizers ?? []).compactMap(normalizer)
            if steps.isEmpty { return nil }
            return steps.count == 1 ? steps[0] : .sequence(steps)
        default:
            throw TokenizerError.unsupported(
                path: path, feature: "normalizer type \"\(spec.type)\" (supported: NFC, NFD, NFKC, NFKD, Lowercase, Sequence)")
        }
    }

    func preTokenizer(_ spec: PreTokenizerSpec?) throws -> PreTokenizer {
        guard let spec else { return PreTokenizer(steps: []) }
        let steps = try preTokenizerSteps(spec)
        if let index = steps.firstIndex(where: { if case .byteLevel = $0 { true } else { false } }), index != steps.count - 1 {
            throw TokenizerError.unsupported(path: path, feature: "a ByteLevel pre-tokenizer that is not the last one")
        }
        return PreTokenizer(steps: steps)
    }

    private func preTokenizerSteps(_ spec: PreTokenizerSpec) throws -> [PreTokenizer.Step] {
        switch spec.type {
        case "Sequence":
            return try (spec.pretokenizers ?? []).flatMap(preTokenizerSteps)
        case "ByteLevel":
            // Hugging Face's defaults when the fields are absent.
            return [.byteLevel(addPrefixSpace: spec.addPrefixSpace ?? true, useRegex: spec.useRegex ?? true)]
        case "Digits":
            let individual = spec.individualDigits ?? false
            return [.split(.scalars(.numeric), behavior: individual ? .isolated : .contiguous, invert: false)]
        case "Split":
            return [try split(spec)]
        default:
            throw TokenizerError.unsupported(
                path: path, feature: "pre-tokenizer type \"\(spec.type)\" (supported: Split, ByteLevel, Digits, Sequence)")
        }
    }

    private func split(_ spec: PreTokenizerSpec) throws -> PreTokenizer.Step {
        let pattern: SplitPattern
        if let regex = spec.pattern?.regex {
            do {
                pattern = try SplitPattern(regex: regex)
            } catch {
                throw TokenizerError.unsupported(path: path, feature: "Split regex \(regex) does not compile: \(error)")
            }
        } else if let literal = spec.pattern?.string {
            pattern = .literal(Array(literal.utf8))
        } else {
            throw TokenizerError.invalidFile(path: path, reason: "Split pre-tokenizer without a Regex or String pattern")
        }
        let behaviorName = spec.behavior ?? "Isolated"
        guard let behavior = PreTokenizer.SplitBehavior(rawValue: behaviorName) else {
            throw TokenizerError.unsupported(path: path, feature: "Split behavior \"\(behaviorName)\"")
        }
        return .split(pattern, behavior: behavior, invert: spec.invert ?? false)
    }

    func decoder(_ spec: DecoderSpec?) throws -> TokenDecoder {
        guard let spec else { return .joinWithSpaces }
        switch spec.type {
        case "ByteLevel":
            return .byteLevel
        case "Sequence" where (spec.decoders ?? []).count == 1:
            return try decoder(spec.decoders![0])
        default:
            throw TokenizerError.unsupported(path: path, feature: "decoder type \"\(spec.type)\" (supported: ByteLevel)")
        }
    }

    func model(_ spec: ModelSpec) throws -> BPEModel {
        if let type = spec.type, type != "BPE" {
            throw TokenizerError.unsupported(path: path, feature: "model type \"\(type)\" (only BPE is supported)")
        }
        let options = BPEModel.Options(
            unknownToken: spec.unkToken,
            fuseUnknown: spec.fuseUnk ?? false,
            byteFallback: spec.byteFallback ?? false,
            ignoreMerges: spec.ignoreMerges ?? false,
            continuingSubwordPrefix: spec.continuingSubwordPrefix,
            endOfWordSuffix: spec.endOfWordSuffix)
        do {
            return try BPEModel(vocabulary: spec.vocab, merges: spec.merges, options: options)
        } catch {
            throw TokenizerError.invalidFile(path: path, reason: error.reason)
        }
    }
}

/// How ids become text again (the `decoder` of `tokenizer.json`).
enum TokenDecoder: Sendable {
    /// Byte stand-ins back to bytes, then UTF-8 with invalid sequences replaced by U+FFFD.
    case byteLevel
    /// No decoder in the file: Hugging Face joins the tokens with spaces.
    case joinWithSpaces
}
