import Foundation
import Testing
@testable import Tokenizers

/// Test data that lives outside the package.
enum Fixtures {
    /// `shared/parity/tiny-qwen2`: a tiny Qwen2 checkpoint's tokenizer files and `reference.json`,
    /// whose ids were produced by Hugging Face `tokenizers`. It sits beside the repository root;
    /// `nil` (and the tests that need it skipped) where it is not checked out.
    static let tinyQwen2: URL? = locate("shared/parity/tiny-qwen2", marker: "reference.json")

    /// Walks up from this file looking for `relative` beside each ancestor folder. The walk is made
    /// from the path as compiled and from the path with links resolved, since the test folder may be
    /// reached through a symbolic link from another package.
    static func locate(_ relative: String, marker: String, from file: String = #filePath) -> URL? {
        let origin = URL(fileURLWithPath: file)
        for start in [origin, origin.resolvingSymlinksInPath()] {
            var folder = start.deletingLastPathComponent()
            for _ in 0 ..< 32 {
                let candidate = folder.appendingPathComponent(relative)
                if FileManager.default.fileExists(atPath: candidate.appendingPathComponent(marker).path) {
                    return candidate.standardizedFileURL
                }
                let parent = folder.deletingLastPathComponent()
                if parent.standardizedFileURL.path == folder.standardizedFileURL.path { break }
                folder = parent
            }
        }
        return nil
    }

    struct ReferenceString: Decodable {
        var text: String
        var ids: [Int]
        var decoded: String
    }

    static func referenceStrings() throws -> [ReferenceString] {
        struct File: Decodable { var strings: [ReferenceString] }
        let url = try #require(tinyQwen2).appendingPathComponent("reference.json")
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).strings
    }
}

/// The trait for tests that need the tiny-qwen2 fixture.
let needsTinyQwen2 = Testing.ConditionTrait.enabled(
    if: Fixtures.tinyQwen2 != nil, "shared/parity/tiny-qwen2 is not next to the repository")
