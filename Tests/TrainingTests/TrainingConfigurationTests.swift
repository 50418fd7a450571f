import Testing
@testable import Models
@testable import Training

@Suite struct TrainingConfigurationTests {
    @Test func fourBitNeedsLoRA() throws {
        #expect(throws: ConfigurationError.self) { try TrainingConfiguration().applying(["use_4bit": true], source: "test") }
        let c = try TrainingConfiguration().applying(["use_4bit": true, "use_lora": true], source: "test")
        #expect(c.use4Bit && c.useLoRA)
    }

    @Test func bf16BaseNeedsLoRAAndExcludesFourBit() throws {
        #expect(throws: ConfigurationError.self) { try TrainingConfiguration().applying(["bf16_base": true], source: "test") }
        #expect(throws: ConfigurationError.self) {
            try TrainingConfiguration().applying(["bf16_base": true, "use_lora": true, "use_4bit": true], source: "test")
        }
        let c = try TrainingConfiguration().applying(["bf16_base": true, "use_lora": true], source: "test")
        #expect(c.bf16Base && c.jsonValue["bf16_base"] == .bool(true))
    }

    @Test func diffusionKeysAndTheSeedsNames() throws {
        let c = try TrainingConfiguration().applying([
            "block_length": 16, "diffusion_steps": 40, "remasking": "random", "cfg_scale": 0.5, "mask_rate": 0.3,
            "random_masking": false,
        ], source: "test")
        #expect(c.diffusion.blockLength == 16 && c.diffusion.steps == 40 && c.diffusion.remasking == .random)
        #expect(c.diffusion.guidanceScale == 0.5 && c.diffusion.promptMaskRate == 0.3 && !c.diffusion.randomMasking)
        #expect(throws: ConfigurationError.self) { try TrainingConfiguration().applying(["remasking": "sideways"], source: "test") }
        #expect(throws: ConfigurationError.self) { try TrainingConfiguration().applying(["p_mask": 1.5], source: "test") }
    }

    @Test func everyKnownKeyIsSavedWithTheRun() throws {
        guard case .object(let saved) = TrainingConfiguration().jsonValue else { Issue.record("not an object"); return }
        #expect(Set(TrainingConfiguration.knownKeys).isSubset(of: Set(saved.keys)),
                "missing: \(Set(TrainingConfiguration.knownKeys).subtracting(saved.keys).sorted())")
    }
}
