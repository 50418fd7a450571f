import GSM8KAnswerFuzzEntry
import RunConfigurationFuzzEntry
import SafeTensorsFuzzEntry
import Testing
import TokenizerFuzzEntries

/// Every saved input of each fuzzer goes through the fuzzer's own entry point: a case that once
/// crashed or hung a parser fails here (by crashing, or by the time limit) if the bug returns.
@Suite(.timeLimit(.minutes(2)))
struct ParserCorpusTests {
    @Test(arguments: FuzzCorpus.inputs("safetensors"))
    func safetensors(_ input: CorpusInput) {
        FuzzCorpus.replay(input, through: SafeTensorsFuzzEntry.run)
    }

    @Test(arguments: FuzzCorpus.inputs("tokenizer-json"))
    func tokenizerJSON(_ input: CorpusInput) {
        FuzzCorpus.replay(input, through: TokenizerJSONFuzzEntry.run)
    }

    @Test(arguments: FuzzCorpus.inputs("bpe-round-trip"))
    func bpeRoundTrip(_ input: CorpusInput) {
        let mismatch = BPERoundTripFuzzEntry.check(input.bytes)
        #expect(mismatch == nil, "\(mismatch.map { "\($0)" } ?? "")")
    }

    @Test(arguments: FuzzCorpus.inputs("run-configuration"))
    func runConfiguration(_ input: CorpusInput) {
        FuzzCorpus.replay(input, through: RunConfigurationFuzzEntry.run)
    }

    @Test(arguments: FuzzCorpus.inputs("gsm8k-answer"))
    func gsm8kAnswer(_ input: CorpusInput) {
        FuzzCorpus.replay(input, through: GSM8KAnswerFuzzEntry.run)
    }

    /// A missing or misnamed folder would otherwise pass by testing nothing.
    @Test(arguments: ["safetensors", "tokenizer-json", "bpe-round-trip", "run-configuration", "gsm8k-answer"])
    func everyFuzzerHasACorpus(_ fuzzer: String) {
        #expect(FuzzCorpus.inputs(fuzzer).count >= 5)
    }
}
