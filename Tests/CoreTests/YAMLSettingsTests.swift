import Foundation
import Testing
@testable import Core
import RLRunSDK

/// Settings files are read from Yams' node tree: the same values as before for ordinary files,
/// and errors instead of a crash or an endless expansion for the odd ones.
@Suite struct YAMLSettingsTests {
    func settings(_ text: String) throws -> [String: JSONValue] {
        try RunConfiguration.values(fromYAMLText: text, source: "test.yaml")
    }

    @Test func plainValuesKeepTheirTypes() throws {
        let values = try settings("""
            steps: 30
            learning_rate: 1.0e-4
            use_lora: true
            model: ~
            dataset: arithmetic
            quoted: '12'
            huge: 99999999999999999999999
            rewards: {gsm8k: 1.0, format: 0.5}
            targets: [q_proj, 3]
            """)
        #expect(values["steps"] == .number(30))
        #expect(values["learning_rate"] == .number(1e-4))
        #expect(values["use_lora"] == .bool(true))
        #expect(values["model"] == .null)
        #expect(values["dataset"] == .string("arithmetic"))
        #expect(values["quoted"] == .string("12"))
        #expect(values["huge"] == .string("99999999999999999999999"))  // too large for an Int: text, as Yams.load gave
        #expect(values["rewards"] == .object(["gsm8k": .number(1), "format": .number(0.5)]))
        #expect(values["targets"] == .array([.string("q_proj"), .number(3)]))
        #expect(try settings("") == [:])
        #expect(try settings("{\"steps\": 2, \"lr\": 0.5}") == ["steps": .number(2), "lr": .number(0.5)])
    }

    @Test func mergeKeysFillInWhatAMappingDoesNotSet() throws {
        let values = try settings("""
            algorithm_options: &base {clip_low: 0.2, clip_high: 0.28}
            options:
              dapo: {<<: *base, clip_high: 0.3}
              ppo: {<<: [{gamma: 1.0}, {gamma: 0.5, lambda: 0.9}]}
            """)
        #expect(values["options"]?["dapo"] == .object(["clip_low": .number(0.2), "clip_high": .number(0.3)]))
        #expect(values["options"]?["ppo"] == .object(["gamma": .number(1.0), "lambda": .number(0.9)]))  // earlier wins
    }

    /// Yams.load force-unwraps keys as strings: this input stopped the process before.
    @Test func aKeyThatIsAListOrMappingIsAnError() {
        #expect { try settings("steps: 3\n? [a, b]\n: 1\n") } throws: { "\($0)".contains("a key must be a plain name, not a list (line 2") }
        #expect { try settings("{x: 1}: 2\n") } throws: { "\($0)".contains("a key must be a plain name, not a mapping") }
    }

    @Test func aliasesMayNotExpandWithoutBound() {
        var lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
        for level in 1 ... 8 {
            lines.append("l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        let started = Date()
        #expect { try settings(lines.joined(separator: "\n")) } throws: { "\($0)".contains("more than 100000 values") }
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func deepNestingAndExoticTypesAreErrors() {
        let deep = "options: " + String(repeating: "[", count: 150) + String(repeating: "]", count: 150)
        #expect { try settings(deep) } throws: { "\($0)".contains("nested more than 100 levels deep") }
        #expect { try settings("pins: !!binary aGVsbG8=") } throws: { "\($0)".contains("unsupported YAML value") }
        #expect { try settings("pins: !!set {a, b}") } throws: { "\($0)".contains("unsupported YAML value") }
        #expect { try settings("- 1\n- 2") } throws: { "\($0)".contains("the top level must be a mapping") }
        #expect { try settings("steps: [1, 2") } throws: { "\($0)".contains("not valid YAML") }
    }

    @Test func theExampleConfigurationsRead() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Examples")
        for name in ["grpo", "drgrpo", "dapo", "ppo", "diffu-grpo"] {
            let values = try RunConfiguration.values(fromYAML: examples.appendingPathComponent("\(name)/config.yaml"))
            #expect(values["algorithm"] == .string(name))
            var run = RunConfiguration()
            try run.apply(values, source: name)
        }
    }
}
