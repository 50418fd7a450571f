import JSONLReader
import RLRunSDK
import Testing

@Suite struct JSONLDatasetTests {
    @Test func mapsFieldsToItems() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = try folder.write("data.jsonl", [
            jsonLine(["q": "2+2?", "a": 4, "source": "hand", "level": 1]),
            "",
            jsonLine(["q": "Capital of France?", "a": "Paris", "extra": true]),
            jsonLine(["q": "No answer here"]),
        ])
        let dataset = try makePlugin(JSONLDataset.self, ["path": .string(file), "prompt_field": "q", "reference_field": "a",
                                                         "metadata_fields": .array(["source", "level"]), "system": "Be brief."])
        #expect(dataset.splits == ["train"])
        #expect(try dataset.count(split: "train") == 3)
        let first = try dataset.item(split: "train", index: 0)
        #expect(first == DatasetItem(prompt: "2+2?", system: "Be brief.", reference: "4", metadata: #"{"level":1,"source":"hand"}"#))
        #expect(try dataset.item(split: "train", index: 1).reference == "Paris")
        #expect(try dataset.item(split: "train", index: 1).metadata == nil)
        #expect(try dataset.item(split: "train", index: 2).reference == nil)
    }

    @Test func splitsFromFilesOrHeldOut() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let lines = (0..<20).map { jsonLine(["prompt": .string("p\($0)"), "reference": .string("\($0)")]) }
        let file = try folder.write("train.jsonl", lines)
        let carved = try makePlugin(JSONLDataset.self, ["path": .string(file), "held_out": 0.25, "seed": 5])
        #expect(carved.splits == ["train", "test"])
        let train = try (0..<carved.count(split: "train")).map { try carved.item(split: "train", index: $0).prompt }
        let test = try (0..<carved.count(split: "test")).map { try carved.item(split: "test", index: $0).prompt }
        #expect(train.count == 15 && test.count == 5)
        #expect(Set(train).isDisjoint(with: test) && Set(train + test) == Set((0..<20).map { "p\($0)" }))
        let again = try makePlugin(JSONLDataset.self, ["path": .string(file), "held_out": 0.25, "seed": 5])
        #expect(try (0..<5).map { try again.item(split: "test", index: $0).prompt } == test)
        let reseeded = try makePlugin(JSONLDataset.self, ["path": .string(file), "held_out": 0.25, "seed": 6])
        #expect(try (0..<5).map { try reseeded.item(split: "test", index: $0).prompt } != test)

        try folder.write("test.jsonl", [jsonLine(["prompt": "t", "reference": "1"])])
        try folder.write("notes.txt", ["not data"])
        let files = try makePlugin(JSONLDataset.self, ["path": .string(folder.path)])
        #expect(files.splits == ["train", "test"])
        #expect(try files.count(split: "test") == 1)
        #expect(throws: PluginError.self) { try makePlugin(JSONLDataset.self, ["path": .string(folder.path), "held_out": 0.5]) }
        #expect(throws: PluginError.self) { try makePlugin(JSONLDataset.self, ["path": .string(file), "held_out": 1]) }
    }

    @Test func malformedLines() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = try folder.write("train.jsonl", [
            jsonLine(["prompt": "ok"]),
            "[1, 2]",
            "{not json",
            jsonLine(["prompt": .array(["a"])]),
            jsonLine(["prompt": "ok", "reference": .object([:])]),
            jsonLine(["question": "wrong field"]),
        ])
        let error = try #require(throws: PluginError.self) { try makePlugin(JSONLDataset.self, ["path": .string(file)]) }
        #expect(error.message.hasPrefix("\(file) line 2: expected a JSON object"))
        let logged = LogLines()
        let skipping = try makePlugin(JSONLDataset.self, ["path": .string(file), "skip_invalid": true], log: logged.append)
        #expect(try skipping.count(split: "train") == 1)
        #expect(skipping.skippedLines == [file: [2, 3, 4, 5, 6]])
        #expect(logged.lines.contains { $0.contains("skipped 5 malformed lines") })
        #expect(logged.lines.contains { $0.contains("no line") && $0.contains("'reference'") })
        #expect(throws: PluginError.self) { try makePlugin(JSONLDataset.self) }
        #expect(throws: PluginError.self) { try makePlugin(JSONLDataset.self, ["path": .string(file), "metadata_fields": "solution"]) }
    }
}
