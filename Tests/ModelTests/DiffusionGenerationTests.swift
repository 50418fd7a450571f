import Foundation
import Testing
@testable import Engine
@testable import Models

struct DiffusionGenerationTests {
    let model: Transformer
    let prompts = [[5, 9, 12, 7], [3], [20, 21, 22, 23, 24, 25]]

    init() throws { model = try tinyDiffusionModel() }

    func generate(_ options: DiffusionSamplingOptions, prompts: [[Int]]? = nil, seed: UInt64 = 0) throws -> DiffusionGenerationResult {
        try model.generateByUnmasking(prompts: prompts ?? self.prompts, options: options, generator: Generator(seed: seed))
    }

    @Test func tokensPerStepSpreadsTheRemainderOverTheFirstSteps() {
        #expect(DiffusionSamplingOptions.tokensPerStep(masked: 32, steps: 16) == Array(repeating: 2, count: 16))
        #expect(DiffusionSamplingOptions.tokensPerStep(masked: 10, steps: 4) == [3, 3, 2, 2])
        #expect(DiffusionSamplingOptions.tokensPerStep(masked: 32, steps: 1) == [32])
        #expect(DiffusionSamplingOptions.tokensPerStep(masked: 3, steps: 5) == [1, 1, 1, 0, 0])
    }

    @Test func everyMaskOfTheRegionIsFilled() throws {
        let result = try generate(DiffusionSamplingOptions(generationLength: 16, blockLength: 4, steps: 8, temperature: 1))
        for raw in result.rawTokens {
            #expect(raw.count == 16)
            #expect(!raw.contains(tinyMaskID))
        }
        #expect(result.unmaskedAtStep.allSatisfy { $0.allSatisfy { (0..<8).contains($0) } })
    }

    @Test func blocksAreDecodedInOrderWithTheStepQuota() throws {
        // 3 blocks of 4, 2 steps each: 2 tokens per step, block k in steps 2k and 2k + 1.
        let result = try generate(DiffusionSamplingOptions(generationLength: 12, blockLength: 4, steps: 6, temperature: 1))
        for order in result.unmaskedAtStep {
            for block in 1..<3 {
                let previous = order[(block - 1) * 4..<block * 4], current = order[block * 4..<(block + 1) * 4]
                #expect(previous.max()! < current.min()!, "block \(block) started before block \(block - 1) was done: \(order)")
            }
            #expect((0..<6).map { step in order.filter { $0 == step }.count } == Array(repeating: 2, count: 6))
        }
        // One block of 10 over 4 steps: 3, 3, 2, 2 tokens.
        let uneven = try generate(DiffusionSamplingOptions(generationLength: 10, blockLength: 10, steps: 4, temperature: 0))
        for order in uneven.unmaskedAtStep {
            #expect((0..<4).map { step in order.filter { $0 == step }.count } == [3, 3, 2, 2])
        }
    }

    @Test func samplingIsReproducibleFromTheSeed() throws {
        let options = DiffusionSamplingOptions(generationLength: 16, blockLength: 8, steps: 8, temperature: 1)
        let a = try generate(options, seed: 42), b = try generate(options, seed: 42), c = try generate(options, seed: 43)
        #expect(a.rawTokens == b.rawTokens)
        #expect(a.unmaskedAtStep == b.unmaskedAtStep)
        #expect(a.rawTokens != c.rawTokens)
    }

    /// With row noise (as the trainer draws it), a row's completion is the same whether it is
    /// sampled with the whole batch or with only part of it (as one rank of several would).
    @Test(arguments: [DiffusionSamplingOptions.Remasking.lowConfidence, .random])
    func rowNoiseMakesRowsIndependentOfTheirBatch(remasking: DiffusionSamplingOptions.Remasking) throws {
        let prompts = [[5, 9, 12, 7], [3, 4, 8, 1], [20, 21, 22, 23], [30, 2, 6, 11]]
        var options = DiffusionSamplingOptions(generationLength: 16, blockLength: 8, steps: 8, temperature: 1)
        options.remasking = remasking
        func sample(_ rows: Range<Int>) throws -> DiffusionGenerationResult {
            let generator = try Generator(seed: 7)
            return try model.generateByUnmasking(prompts: Array(prompts[rows]), options: options, generator: generator,
                                                 noise: SamplingNoise(generator: generator, offset: rows.lowerBound, totalRows: 4))
        }
        let whole = try sample(0..<4), first = try sample(0..<2), second = try sample(2..<4)
        #expect(first.rawTokens + second.rawTokens == whole.rawTokens)
        #expect(first.unmaskedAtStep + second.unmaskedAtStep == whole.unmaskedAtStep)
        // Without row noise, the same rows drawn in a smaller batch get other noise.
        let alone = try model.generateByUnmasking(prompts: Array(prompts[2..<4]), options: options, generator: Generator(seed: 7))
        let together = try model.generateByUnmasking(prompts: prompts, options: options, generator: Generator(seed: 7))
        #expect(alone.rawTokens != Array(together.rawTokens[2..<4]))
    }

    @Test func zeroTemperatureIsDeterministic() throws {
        let options = DiffusionSamplingOptions(generationLength: 16, blockLength: 8, steps: 8, temperature: 0)
        let a = try generate(options, seed: 1), b = try generate(options, seed: 2)
        #expect(a.rawTokens == b.rawTokens)
        #expect(a.unmaskedAtStep == b.unmaskedAtStep)
    }

    @Test func leftPaddingIsIgnored() throws {
        let options = DiffusionSamplingOptions(generationLength: 8, blockLength: 4, steps: 4, temperature: 0)
        let batched = try generate(options)
        for (i, prompt) in prompts.enumerated() {
            let single = try generate(options, prompts: [prompt])
            #expect(batched.rawTokens[i] == single.rawTokens[0], "prompt \(i)")
            #expect(batched.unmaskedAtStep[i] == single.unmaskedAtStep[0], "prompt \(i)")
        }
    }

    @Test func guidanceMixesTheUnconditionalPass() throws {
        let scale = 1.5
        let prompt = prompts[0]
        let result = try generate(DiffusionSamplingOptions(generationLength: 1, blockLength: 1, steps: 1, temperature: 0,
                                                           guidanceScale: scale), prompts: [prompt])
        // One masked position: the argmax of u + (s + 1)(c − u), the mask id excluded.
        let expected = try withNoGrad {
            func last(_ ids: [Int]) throws -> Tensor {
                try model(Tensor(ids.map(Int64.init), shape: [1, ids.count])).select(dim: 1, index: ids.count - 1).squeeze(0).to(.float64)
            }
            let c = try last(prompt + [tinyMaskID]), u = try last(Array(repeating: tinyMaskID, count: prompt.count + 1))
            var scores = try (u + (c - u) * (scale + 1)).toArray(Double.self)
            scores[tinyMaskID] = -.infinity
            return scores.indices.max { scores[$0] < scores[$1] }!
        }
        #expect(result.rawTokens == [[expected]])
    }

    @Test func randomRemaskingFillsTheRegionReproducibly() throws {
        let options = DiffusionSamplingOptions(generationLength: 16, blockLength: 4, steps: 8, temperature: 0.5,
                                               remasking: .random)
        let a = try generate(options, seed: 7), b = try generate(options, seed: 7)
        #expect(a.rawTokens == b.rawTokens)
        #expect(a.rawTokens.allSatisfy { !$0.contains(tinyMaskID) })
    }

    @Test func stopTokensCutTheCompletionButNotTheDecoding() throws {
        var options = DiffusionSamplingOptions(generationLength: 16, blockLength: 8, steps: 16, temperature: 0)
        let free = try generate(options)
        let stop = free.rawTokens[0][5]
        options.stopTokenIDs = [stop]
        let stopped = try generate(options)
        #expect(stopped.rawTokens == free.rawTokens)
        for (i, raw) in free.rawTokens.enumerated() {
            if let first = raw.firstIndex(of: stop) {
                #expect(stopped.tokens[i] == Array(raw[...first]))
                #expect(stopped.stopReasons[i] == .stopToken)
            } else {
                #expect(stopped.tokens[i] == raw)
                #expect(stopped.stopReasons[i] == .length)
            }
        }
    }

    @Test func badBlockAndStepSettingsAreRefused() throws {
        func refusal(_ options: DiffusionSamplingOptions) -> String {
            do { _ = try generate(options) } catch { return "\(error)" }
            return "accepted"
        }
        #expect(refusal(DiffusionSamplingOptions(generationLength: 10, blockLength: 4, steps: 4)).contains("not a multiple of the block length 4"))
        #expect(refusal(DiffusionSamplingOptions(generationLength: 8, blockLength: 4, steps: 3)).contains("divisible by the number of blocks (2"))
        #expect(refusal(DiffusionSamplingOptions(generationLength: 8, blockLength: 0, steps: 4)).contains("positive"))
        #expect(refusal(DiffusionSamplingOptions(generationLength: 64, blockLength: 32, steps: 2)).contains("exceed the model's 64 positions"))
    }

    @Test func causalModelsAreRefused() throws {
        var configuration = model.configuration
        configuration.maskedDiffusion = false
        let causal = try Transformer(configuration: configuration,
                                     weights: .random(generator: Generator(seed: 0), dtype: .float32, device: .cpu))
        #expect(throws: ModelError.self) {
            _ = try causal.generateByUnmasking(prompts: prompts, options: DiffusionSamplingOptions(), generator: Generator(seed: 0))
        }
    }
}
