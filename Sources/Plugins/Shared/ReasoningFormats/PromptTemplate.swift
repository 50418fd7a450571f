/// How a dataset turns a question into a prompt: plain, or asking for one of the tagged
/// reasoning formats through a system prompt (the one its recipe trains with).
public enum PromptTemplate: String, Sendable, CaseIterable {
    /// The question and verl's GSM8K instruction to end with `#### N`.
    case plain
    /// open-r1's system prompt for `<think>…</think><answer>…</answer>`.
    case think
    /// d1's system prompt for `<reasoning>…</reasoning><answer>…</answer>`.
    case reasoning

    public var format: ReasoningFormat? {
        switch self {
        case .plain: nil
        case .think: .think
        case .reasoning: .reasoning
        }
    }

    public func prompt(question: String) -> String {
        switch self {
        case .plain: question + "\n" + "Let's think step by step and output the final answer after \"####\"."
        case .think, .reasoning: question
        }
    }

    public var system: String? {
        switch self {
        case .plain: nil
        case .think:
            "A conversation between User and Assistant. The user asks a question, and the Assistant solves it. "
                + "The assistant first thinks about the reasoning process in the mind and then provides the user "
                + "with the answer. The reasoning process and answer are enclosed within <think> </think> and "
                + "<answer> </answer> tags, respectively, i.e., <think> reasoning process here </think> "
                + "<answer> answer here </answer>"
        case .reasoning:
            "Respond in the following format:\n<reasoning>\n...\n</reasoning>\n<answer>\n...\n</answer>"
        }
    }
}
