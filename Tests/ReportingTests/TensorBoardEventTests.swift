import Foundation
import Testing
@testable import Reporting

struct TensorBoardEventTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    func writeThreeSteps() throws -> URL {
        let writer = try TensorBoardEventWriter(logDirectory: directory.url.appendingPathComponent("tb"),
                                                startTime: Date(timeIntervalSince1970: 1_700_000_000), hostname: "box")
        try writer.add(scalars: ["reward_mean": 0.25, "kl": 0.01], step: 1, wallTime: 1_700_000_001.5)
        try writer.add(scalars: ["reward_mean": 0.5, "loss": .nan], step: 2, wallTime: 1_700_000_002.5)
        try writer.add(texts: ["sample": "<think>2+2</think> 4"], step: 2, wallTime: 1_700_000_002.75)
        try writer.close()
        return writer.url
    }

    @Test func fileIsNamedLikeTensorFlowsWriter() throws {
        let url = try writeThreeSteps()
        #expect(url.lastPathComponent == "events.out.tfevents.1700000000.box")
        #expect(try TensorBoardEventReader.eventFiles(in: url.deletingLastPathComponent()) == [url])
    }

    @Test func secondWriterInTheSameSecondGetsItsOwnFile() throws {
        let first = try writeThreeSteps()
        let second = try TensorBoardEventWriter(logDirectory: first.deletingLastPathComponent(),
                                                startTime: Date(timeIntervalSince1970: 1_700_000_000), hostname: "box")
        #expect(second.url.lastPathComponent == "events.out.tfevents.1700000000.box.1")
        #expect(try TensorBoardEventReader.read(first).count == 4)
    }

    @Test func writtenEventsReadBack() throws {
        let events = try TensorBoardEventReader.read(try writeThreeSteps())
        #expect(events.count == 4)
        #expect(events[0].fileVersion == "brain.Event:2")
        #expect(events[0].wallTime == 1_700_000_000)
        #expect(events[1].step == 1)
        #expect(events[1].wallTime == 1_700_000_001.5)
        #expect(events[1].scalars == ["reward_mean": 0.25, "kl": Double(Float(0.01))])
        #expect(events[2].step == 2)
        #expect(events[2].scalars["reward_mean"] == 0.5)
        #expect(events[2].scalars["loss"]?.isNaN == true)
        #expect(events[3].texts == ["sample": "<think>2+2</think> 4"])
        #expect(events[3].scalars.isEmpty)
    }

    @Test func firstRecordHasTheExactBytesTensorFlowWrites() throws {
        // Event{wall_time: 1.7e9, step: 0, file_version: "brain.Event:2"}, framed.
        let bytes = [UInt8](try Data(contentsOf: try writeThreeSteps()))
        let payload: [UInt8] = [0x09] + withUnsafeBytes(of: (1_700_000_000.0).bitPattern.littleEndian, Array.init)
            + [0x10, 0x00, 0x1A, 13] + Array("brain.Event:2".utf8)
        #expect(Array(bytes[0..<8]) == [UInt8(payload.count), 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[12..<12 + payload.count]) == payload)
        let dataCRC = bytes[12 + payload.count..<16 + payload.count].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        #expect(dataCRC == CRC32C.masked(payload))
    }

    @Test func negativeStepsSurviveTheVarint() throws {
        let event = TensorBoardEvent(wallTime: 1, step: -3, scalars: ["x": 1])
        #expect(try TensorBoardEvent(decoding: event.encoded[...]).step == -3)
    }

    @Test func aFlippedByteIsACRCErrorNamingTheRecord() throws {
        let url = try writeThreeSteps()
        var bytes = [UInt8](try Data(contentsOf: url))
        let firstRecordLength = 12 + Int(bytes[0]) + 4
        bytes[firstRecordLength + 14] ^= 0x40  // inside the second record's data
        try Data(bytes).write(to: url)
        #expect(throws: ReportingError(file: url.path, location: "record 1", message: "data CRC mismatch")) {
            try TensorBoardEventReader.read(url)
        }
    }

    @Test func aDamagedLengthIsALengthCRCError() throws {
        let url = try writeThreeSteps()
        var bytes = [UInt8](try Data(contentsOf: url))
        bytes[1] = 1
        try Data(bytes).write(to: url)
        #expect(throws: ReportingError(file: url.path, location: "record 0", message: "length CRC mismatch")) {
            try TensorBoardEventReader.read(url)
        }
    }

    @Test func aTruncatedFileIsAnErrorNamingTheRecord() throws {
        let url = try writeThreeSteps()
        let bytes = try Data(contentsOf: url)
        try bytes.dropLast(3).write(to: url)
        let error = try #require(throws: ReportingError.self) { try TensorBoardEventReader.read(url) }
        #expect(error.file == url.path)
        #expect(error.location == "record 3")
        #expect(error.message.hasPrefix("truncated data"))
        try bytes.prefix(5).write(to: url)
        #expect(throws: ReportingError(file: url.path, location: "record 0", message: "truncated header (5 of 12 bytes)")) {
            try TensorBoardEventReader.read(url)
        }
    }

    @Test func writingAfterCloseIsAnError() throws {
        let writer = try TensorBoardEventWriter(logDirectory: directory.url, hostname: "box")
        try writer.close()
        #expect(throws: ReportingError.self) { try writer.add(scalars: ["x": 1], step: 1) }
    }
}
