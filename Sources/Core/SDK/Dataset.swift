/// One example: a prompt without chat formatting, and what to check the answer against.
public struct DatasetItem: Sendable, Equatable {
    public var prompt: String
    public var system: String?
    public var reference: String?
    /// JSON object text carried to the rewards (e.g. the full worked solution).
    public var metadata: String?

    public init(prompt: String, system: String? = nil, reference: String? = nil, metadata: String? = nil) {
        self.prompt = prompt
        self.system = system
        self.reference = reference
        self.metadata = metadata
    }
}

/// A source of prompts with reference answers, in named splits ("train", "test").
public protocol Dataset: AnyObject {
    var splits: [String] { get }
    func count(split: String) throws -> Int
    func item(split: String, index: Int) throws -> DatasetItem
}
