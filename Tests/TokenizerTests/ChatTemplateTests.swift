import Foundation
import Testing
@testable import Tokenizers

struct ChatTemplateTests {
    @Test func chatMLWithoutASystemPrompt() {
        #expect(ChatTemplate.chatML().render(question: "What is 2+2?") ==
            "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n")
    }

    /// What Qwen2.5's own template (`apply_chat_template(..., add_generation_prompt=True)`) makes.
    @Test func chatMLWithQwenDefaultSystemPrompt() {
        #expect(ChatTemplate.chatML(systemPrompt: .qwenDefault).render(question: "What is 2+2?") ==
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
            + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n")
    }

    @Test func aSystemMessageOfTheConversationReplacesTheDefault() {
        let template = ChatTemplate.chatML(systemPrompt: .qwenDefault)
        #expect(template.render(question: "Hi", system: "Be brief.") ==
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
        #expect(ChatTemplate.chatML(systemPrompt: .custom("Think step by step.")).render([.user("Hi")], addGenerationPrompt: false) ==
            "<|im_start|>system\nThink step by step.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n")
    }

    @Test func multiTurnChatML() {
        let text = ChatTemplate.chatML().render([.user("1+1?"), .assistant("2"), .user("times 3?")])
        #expect(text == "<|im_start|>user\n1+1?<|im_end|>\n<|im_start|>assistant\n2<|im_end|>\n"
            + "<|im_start|>user\ntimes 3?<|im_end|>\n<|im_start|>assistant\n")
        #expect(ChatTemplate.chatML().endOfTurn == "<|im_end|>")
    }

    @Test func plainFormat() {
        #expect(ChatTemplate.plain().render(question: "What is 2+2?") == "Question: What is 2+2?\nAnswer:")
        #expect(ChatTemplate.plain().render(question: "What is 2+2?", system: "Answer with a number.") ==
            "Answer with a number.\nQuestion: What is 2+2?\nAnswer:")
        #expect(ChatTemplate.plain().render([.user("1+1?"), .assistant("2"), .user("2+2?")]) ==
            "Question: 1+1?\nAnswer: 2\nQuestion: 2+2?\nAnswer:")
        let custom = ChatTemplate.plain(.init(userPrefix: "Q: ", assistantPrefix: "A:", turnSeparator: "\n\n"))
        #expect(custom.render(question: "Why?") == "Q: Why?\n\nA:")
        #expect(custom.render([.user("Why?")], addGenerationPrompt: false) == "Q: Why?")
        #expect(ChatTemplate.plain().endOfTurn == nil)
    }

    @Test func automaticChoosesChatMLOnlyForVocabulariesWithImStart() throws {
        #expect(ChatTemplate.automatic(for: CharacterTokenizer.standard).format == .plain(.init()))
        #expect(ChatTemplate.automatic(for: try SyntheticTokenizer.tokenizer(.qwen2)).format == .chatML)
        #expect(ChatTemplate.automatic(for: try SyntheticTokenizer.tokenizer(.qwen2), systemPrompt: .qwenDefault).systemPrompt == .qwenDefault)
    }

    @Test(needsTinyQwen2)
    func chatMLPromptsEncodeTheirMarkersAsSingleTokens() throws {
        let tokenizer = try BPETokenizer(modelFolder: #require(Fixtures.tinyQwen2))
        let template = ChatTemplate.automatic(for: tokenizer)
        #expect(template.format == .chatML)
        let prompt = template.render(question: "What is 2+2?")
        // The same ids as the reference string with this prompt.
        #expect(tokenizer.encode(prompt) == [1, 87, 85, 275, 201, 57, 74, 67, 86, 223, 318, 223, 20, 13, 20, 33, 2, 201, 1, 67, 85, 85, 318, 86, 259, 86, 201])
        #expect(tokenizer.encode(template.endOfTurn!) == [2])
    }
}
