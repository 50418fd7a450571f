import Foundation
import Testing
@testable import Core
import RLRunSDK

@Suite struct RewardModelTrainingTests {
    @Test func learnsTheSyntheticPreferenceOnHeldOutPairs() throws {
        let trained = try TrainedRewardModel.get()
        let report = trained.report
        #expect(report.trainPairs == 65 && report.heldOutPairs == 16)
        #expect(report.steps == 60)
        let accuracy = try #require(report.heldOutAccuracy)
        #expect(accuracy >= 0.9, "held-out pair accuracy \(accuracy) after \(report.steps) steps")
        #expect(report.epochs.count == 7, "65 pairs in batches of 8 are 9 steps an epoch: 6 epochs and 6 steps of a 7th")
        #expect(report.epochs.last!.trainLoss < report.epochs.first!.trainLoss)
    }

    @Test func savedFolderReloadsToIdenticalScores() throws {
        let trained = try TrainedRewardModel.get()
        let files = try FileManager.default.contentsOfDirectory(atPath: trained.modelFolder.path).sorted()
        #expect(files == ["config.json", "model.safetensors", "reward_model.json", "score.safetensors", "tokenizer.json"])
        let reloaded = try RewardModel(folder: trained.modelFolder)
        let pairs = Array(SyntheticPreferences.pairs().prefix(12))
        let prompts = pairs.map(\.prompt) + pairs.map(\.prompt)
        let responses = pairs.map(\.chosen) + pairs.map(\.rejected)
        let before = try trained.model.score(prompts: prompts, responses: responses)
        let after = try reloaded.score(prompts: prompts, responses: responses)
        #expect(before == after)
        // JSON keeps the statistics to the last digit or so, not bit for bit.
        let (saved, kept) = (try #require(reloaded.statistics), try #require(trained.model.statistics))
        #expect(abs(saved.mean - kept.mean) < 1e-12 && abs(saved.std - kept.std) < 1e-12)
        #expect(reloaded.maxLength == trained.model.maxLength)
        let description = try JSONValue(parsing: String(contentsOf: trained.modelFolder.appendingPathComponent("reward_model.json"), encoding: .utf8))
        #expect(description["training"]?["held_out_accuracy"]?.doubleValue == trained.report.heldOutAccuracy)
    }

    @Test func batchingDoesNotChangeScores() throws {
        let model = try TrainedRewardModel.get().model
        let pairs = SyntheticPreferences.pairs()
        let one = try model.score(prompts: pairs.map(\.prompt), responses: pairs.map(\.rejected), batchSize: 1)
        let many = try model.score(prompts: pairs.map(\.prompt), responses: pairs.map(\.rejected), batchSize: 32)
        for (a, b) in zip(one, many) { #expect(abs(a - b) < 1e-4) }
    }

    @Test func formattedAndRawPromptsScoreAlike() throws {
        let model = try TrainedRewardModel.get().model
        let raw = try model.score(prompts: ["What is 2 + 3?"], responses: ["The answer is 5."])
        let formatted = try model.score(prompts: [model.template.render(question: "What is 2 + 3?")], responses: ["The answer is 5."])
        #expect(raw == formatted)
        #expect(model.text(prompt: "What is 2 + 3?", response: " 5") == "Question: What is 2 + 3?\nAnswer: 5")
    }

    @Test func longInputsKeepTheirEnd() throws {
        let model = try TrainedRewardModel.get().model
        let tokens = try model.tokens(prompt: "q", response: String(repeating: "x", count: 2 * model.maxLength) + "END")
        #expect(tokens.count == model.maxLength)
        #expect(model.tokenizer.decode(Array(tokens.suffix(3))) == "END")
    }

    @Test func refusesToOverwriteAFolderThatIsNoRewardModel() throws {
        let folder = try ScratchFolder("rm-overwrite")
        try folder.write("notes.txt", "keep me")
        let model = try TrainedRewardModel.get().model
        #expect { try model.save(to: folder.url) } throws: { "\($0)".contains("exists and is not a reward-model folder") }
        #expect(FileManager.default.fileExists(atPath: folder.file("notes.txt").path))
        #expect { _ = try RewardModel(folder: folder.url) } throws: { "\($0)".contains("is not a reward-model folder (no reward_model.json)") }
    }
}

@Suite struct PreferenceFileTests {
    @Test func tiesAreLeftOutAndMarginsRead() throws {
        let folder = try ScratchFolder("pref-file")
        let file = try folder.write("pairs.jsonl", """
            {"prompt": "a", "chosen": "x", "rejected": "y", "strength": 2}

            {"prompt": "b", "chosen": "x", "rejected": "y", "tie": true}
            {"prompt": "c", "chosen": "z", "rejected": "w", "strength": 0.5, "tie": false}

            """)
        let contents = try PreferenceFile.load(file.path, marginField: "strength")
        #expect(contents.ties == 1)
        #expect(contents.pairs == [PreferencePair(prompt: "a", chosen: "x", rejected: "y", margin: 2),
                                   PreferencePair(prompt: "c", chosen: "z", rejected: "w", margin: 0.5)])
        let plain = try PreferenceFile.load(file.path)
        #expect(plain.pairs.map(\.margin) == [0, 0])
    }

    @Test func errorsNameTheFileAndLine() throws {
        let folder = try ScratchFolder("pref-errors")
        let file = try folder.write("pairs.jsonl", """
            {"prompt": "a", "chosen": "x", "rejected": "y"}
            {"prompt": "a", "chosen": "x"}

            """)
        // The preferences plugin's own message: file, line and the missing field.
        #expect { _ = try PreferenceFile.load(file.path) } throws: {
            "\($0)".contains("\(file.path) line 2: no field 'rejected'") && "\($0)".hasSuffix("Fix or remove the line")
        }
        let margins = try folder.write("margins.jsonl", #"{"prompt": "a", "chosen": "x", "rejected": "y", "m": "big"}"# + "\n")
        #expect { _ = try PreferenceFile.load(margins.path, marginField: "m") } throws: {
            "\($0)".contains("\(margins.path) line 1") && "\($0)".contains("margin field 'm' must be a number")
        }
        #expect { _ = try PreferenceFile.load(folder.file("missing.jsonl").path) } throws: { "\($0)".contains("no such file") }
    }

    @Test func heldOutSplitIsSeededAndKeepsOrder() {
        let pairs = (0..<10).map { PreferencePair(prompt: "p\($0)", chosen: "c", rejected: "r") }
        let (train, heldOut) = PreferencePair.split(pairs, heldOutFraction: 0.3, seed: 5)
        #expect(train.count == 7 && heldOut.count == 3)
        #expect(PreferencePair.split(pairs, heldOutFraction: 0.3, seed: 5).heldOut == heldOut)
        #expect(heldOut.map(\.prompt) == heldOut.map(\.prompt).sorted())
        #expect(Set((train + heldOut).map(\.prompt)).count == 10)
    }
}
