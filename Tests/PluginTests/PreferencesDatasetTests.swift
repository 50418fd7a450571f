import PreferencePairs
import RLRunSDK
import Testing

@Suite struct PreferencesDatasetTests {
    @Test func pairsExposeChosenAndRejected() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = try folder.write("pairs.jsonl", [
            jsonLine(["prompt": "2+2?", "chosen": "4", "rejected": "5"]),
            jsonLine(["prompt": "Greet.", "chosen": "Hello!", "rejected": "Go away."]),
        ])
        let dataset = try makePlugin(PreferencesDataset.self, ["path": .string(file)])
        let item = try dataset.item(split: "train", index: 0)
        #expect(item.prompt == "2+2?" && item.reference == "4")
        let metadata = try JSONValue(parsing: item.metadata!)
        #expect(metadata["chosen"] == "4" && metadata["rejected"] == "5")
        #expect(try dataset.count(split: "train") == 2)
    }

    @Test func customFieldsAndHeldOut() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = try folder.write("train.jsonl", (0..<10).map {
            jsonLine(["question": .string("q\($0)"), "good": .string("g\($0)"), "bad": .string("b\($0)")])
        })
        let dataset = try makePlugin(PreferencesDataset.self, ["path": .string(file), "prompt_field": "question",
                                                               "chosen_field": "good", "rejected_field": "bad", "held_out": 0.2])
        #expect(try dataset.count(split: "train") == 8 && dataset.count(split: "test") == 2)
        let held = try dataset.item(split: "test", index: 0)
        #expect(try JSONValue(parsing: held.metadata!)["rejected"]?.stringValue == "b" + held.prompt.dropFirst())
    }

    @Test func malformedPairs() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = try folder.write("train.jsonl", [
            jsonLine(["prompt": "p", "chosen": "a", "rejected": "b"]),
            jsonLine(["prompt": "p", "chosen": "a"]),
            jsonLine(["prompt": "p", "chosen": "same", "rejected": "same"]),
        ])
        let error = try #require(throws: PluginError.self) { try makePlugin(PreferencesDataset.self, ["path": .string(file)]) }
        #expect(error.message.hasPrefix("\(file) line 2: no field 'rejected'"))
        let skipping = try makePlugin(PreferencesDataset.self, ["path": .string(file), "skip_invalid": true])
        #expect(try skipping.count(split: "train") == 1)
        #expect(skipping.skippedLines == [file: [2, 3]])
    }
}
