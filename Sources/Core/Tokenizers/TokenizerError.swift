/// Why a tokenizer could not be built. Every case names the file involved so that the message
/// alone tells the user which download is broken, or which feature of the file rlrun lacks.
public enum TokenizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A required file (usually `tokenizer.json`) is not in the model folder.
    case fileNotFound(path: String)
    /// The file exists but is not JSON of the expected shape.
    case invalidFile(path: String, reason: String)
    /// The file is well formed but asks for something rlrun does not implement.
    case unsupported(path: String, feature: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "tokenizer file not found: \(path)"
        case .invalidFile(let path, let reason):
            return "invalid tokenizer file \(path): \(reason)"
        case .unsupported(let path, let feature):
            return "unsupported tokenizer in \(path): \(feature)"
        }
    }
}
