/// One turn of a conversation.
public struct ChatMessage: Sendable, Equatable, Hashable, Codable {
    public enum Role: String, Sendable, Codable, CaseIterable {
        case system, user, assistant
    }

    public var role: Role
    public var content: String

    public init(role: Role, content: String) {
        self.role = role
        self.content = content
    }

    public static func system(_ content: String) -> ChatMessage { .init(role: .system, content: content) }
    public static func user(_ content: String) -> ChatMessage { .init(role: .user, content: content) }
    public static func assistant(_ content: String) -> ChatMessage { .init(role: .assistant, content: content) }
}

/// Turns a conversation into the prompt text a model was trained on. rlrun renders prompts in
/// Swift rather than running the Jinja template of `tokenizer_config.json`: the two formats below
/// cover the instruct models it trains (ChatML) and base models (a plain question/answer layout),
/// and the output is checked against Qwen2.5's template in the tests.
public struct ChatTemplate: Sendable, Equatable {
    public enum Format: Sendable, Equatable {
        /// `<|im_start|>role\ncontent<|im_end|>\n` per turn (Qwen, and most instruct models).
        case chatML
        /// Text prefixes per role, for base models with no chat tokens.
        case plain(PlainFormat)
    }

    /// Layout of the plain format. With the defaults a single question renders as
    /// `"Question: …\nAnswer:"`, the form base models continue with an answer.
    public struct PlainFormat: Sendable, Equatable {
        public var userPrefix: String
        public var assistantPrefix: String
        /// Between turns (and between a system message and the first turn).
        public var turnSeparator: String

        public init(userPrefix: String = "Question: ", assistantPrefix: String = "Answer:", turnSeparator: String = "\n") {
            self.userPrefix = userPrefix
            self.assistantPrefix = assistantPrefix
            self.turnSeparator = turnSeparator
        }
    }

    /// What to do when the conversation has no system message of its own.
    public enum SystemPrompt: Sendable, Equatable {
        /// No system turn at all.
        case none
        /// Qwen2.5's built-in one, which its template inserts; ask for it to match prompts made by
        /// `apply_chat_template` for Qwen2.5 exactly.
        case qwenDefault
        case custom(String)

        var text: String? {
            switch self {
            case .none: nil
            case .qwenDefault: ChatTemplate.qwenDefaultSystemPrompt
            case .custom(let text): text
            }
        }
    }

    public static let qwenDefaultSystemPrompt = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."

    public var format: Format
    public var systemPrompt: SystemPrompt

    public init(format: Format, systemPrompt: SystemPrompt = .none) {
        self.format = format
        self.systemPrompt = systemPrompt
    }

    public static func chatML(systemPrompt: SystemPrompt = .none) -> ChatTemplate {
        ChatTemplate(format: .chatML, systemPrompt: systemPrompt)
    }

    public static func plain(_ layout: PlainFormat = PlainFormat(), systemPrompt: SystemPrompt = .none) -> ChatTemplate {
        ChatTemplate(format: .plain(layout), systemPrompt: systemPrompt)
    }

    /// ChatML when the vocabulary has `<|im_start|>` (a model trained on it), otherwise plain.
    public static func automatic(for tokenizer: any Tokenizer, systemPrompt: SystemPrompt = .none) -> ChatTemplate {
        tokenizer.id(of: "<|im_start|>") != nil ? .chatML(systemPrompt: systemPrompt) : .plain(systemPrompt: systemPrompt)
    }

    /// The text that ends an assistant turn, which generation should stop at (`<|im_end|>` for
    /// ChatML); `nil` for the plain format, where only EOS ends an answer.
    public var endOfTurn: String? {
        switch format {
        case .chatML: "<|im_end|>"
        case .plain: nil
        }
    }

    /// The prompt for `messages`. With `addGenerationPrompt`, it ends with the opening of an
    /// assistant turn so that the model's continuation is the answer.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) -> String {
        var turns = messages
        if turns.first?.role != .system, let system = systemPrompt.text {
            turns.insert(.system(system), at: 0)
        }
        switch format {
        case .chatML:
            var text = ""
            for turn in turns {
                text += "<|im_start|>\(turn.role.rawValue)\n\(turn.content)<|im_end|>\n"
            }
            if addGenerationPrompt { text += "<|im_start|>assistant\n" }
            return text
        case .plain(let layout):
            var parts: [String] = turns.map { turn in
                switch turn.role {
                case .system: turn.content
                case .user: layout.userPrefix + turn.content
                case .assistant: layout.assistantPrefix + " " + turn.content
                }
            }
            if addGenerationPrompt { parts.append(layout.assistantPrefix) }
            return parts.joined(separator: layout.turnSeparator)
        }
    }

    /// The prompt for a single question, optionally with a system message of its own.
    public func render(question: String, system: String? = nil) -> String {
        render((system.map { [.system($0)] } ?? []) + [.user(question)])
    }
}
