import Core
import Foundation
import RLRunSDK
import Testing

@Suite struct RunLogTests {
    /// Everything written to a pipe's write end so far.
    func written(_ pipe: Pipe, after body: () -> Void) throws -> String {
        body()
        try pipe.fileHandleForWriting.close()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    @Test func theBarShowsStepsElapsedAndETAAndLinesPrintAboveIt() throws {
        let pipe = Pipe()
        let bar = ProgressBar(output: pipe.fileHandleForWriting)
        let text = try written(pipe) {
            bar.update(step: 5, total: 20, elapsed: 50, metrics: "reward 0.500")
            bar.print("[RL] Step 5/20: avg_reward=0.500")
            bar.finish()
        }
        #expect(text.contains("5/20 0m50s elapsed, ETA 2m30s  reward 0.500"))
        // A log line clears the bar's line, prints, then redraws the bar under it.
        #expect(text.contains("\r\u{1B}[2K[RL] Step 5/20: avg_reward=0.500\n["))
        #expect(text.hasSuffix("\r\u{1B}[2K"), "finish() clears the bar")
    }

    @Test func jsonLinesCarryTagAndMessage() throws {
        let pipe = Pipe()
        let sink = RunLogSink(format: .json, quiet: false, bar: nil, output: pipe.fileHandleForWriting)
        let text = try written(pipe) { sink.line("[RL] Step 1/2: avg_reward=0.250") }
        let object = try JSONValue(parsing: text.trimmingCharacters(in: .newlines))
        #expect(object["tag"]?.stringValue == "RL")
        #expect(object["message"]?.stringValue == "Step 1/2: avg_reward=0.250")
        #expect(object["time"]?.stringValue != nil)
    }

    @Test func quietKeepsOnlyWhatMatters() throws {
        let pipe = Pipe()
        let sink = RunLogSink(format: .text, quiet: true, bar: nil, output: pipe.fileHandleForWriting)
        let text = try written(pipe) {
            for line in ["[RL] Step 1/2: x", "[EVAL] Step 0: held-out accuracy=0.1", "[ALERT] step 3 kl_bound: y",
                         "[REWARD] Components: z", "[RUN] Interrupted: finishing this step", "[DONE] held-out accuracy 0.1 -> 0.2"] {
                sink.line(line)
            }
        }
        #expect(text == "[EVAL] Step 0: held-out accuracy=0.1\n[ALERT] step 3 kl_bound: y\n[RUN] Interrupted: finishing this step\n"
            + "[DONE] held-out accuracy 0.1 -> 0.2\n")
    }
}
