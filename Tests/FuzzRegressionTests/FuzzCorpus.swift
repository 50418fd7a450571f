import Foundation
import Testing

/// One saved fuzzer input, from `Corpus/<fuzzer>/` next to this file. The file name says what
/// is expected of it: `valid-*` must be accepted, `refused-*` must be refused with an error,
/// anything else (seeds and the cases fuzzing found) only must not crash.
struct CorpusInput: CustomTestStringConvertible, Sendable {
    enum Expectation: Sendable { case accepted, refused, survives }

    let fuzzer: String
    let name: String
    let bytes: [UInt8]

    var expectation: Expectation {
        if name.hasPrefix("valid-") { return .accepted }
        if name.hasPrefix("refused-") { return .refused }
        return .survives
    }

    var testDescription: String { "\(fuzzer)/\(name)" }
}

enum FuzzCorpus {
    /// The folder scripts/fuzz.sh seeds each fuzzer from.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    /// Every file of `fuzzer`'s corpus, by name.
    static func inputs(_ fuzzer: String) -> [CorpusInput] {
        let folder = root.appendingPathComponent(fuzzer)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().compactMap { name in
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else { return nil }
            return CorpusInput(fuzzer: fuzzer, name: name, bytes: Array(data))
        }
    }

    /// Runs `entry` on `input` and checks the outcome its name asks for.
    static func replay(_ input: CorpusInput, through entry: ([UInt8]) throws -> Void) {
        do {
            try entry(input.bytes)
            #expect(input.expectation != .refused, "\(input.name) was accepted")
        } catch {
            #expect(input.expectation != .accepted, "\(input.name) was refused: \(error)")
        }
    }
}
