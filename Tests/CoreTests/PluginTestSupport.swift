import Foundation
import Testing
@testable import Core
import RLRunSDK

// Helpers of the plugin tests: the package's own folders, a C compiler for the fixture plugins
// (Fixtures/test_plugin.c, compiled once per variant and process), temporary folders, and a
// log recorder for the host services.

/// Folders of this package, found from this file's path (no working-directory assumption).
enum PackagePaths {
    /// The folder holding Package.swift, walking up from this source file.
    static let root: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    static var abiInclude: URL { root.appendingPathComponent("Sources/Core/ABI/include") }
    static var fixtureSource: URL { root.appendingPathComponent("Tests/CoreTests/Fixtures/test_plugin.c") }
    static var keywordExample: URL { root.appendingPathComponent("Examples/reward-plugin-c/keyword_reward.c") }
}

/// The system C compiler (`cc` on PATH), which the fixture plugins need.
enum CCompiler {
    static let path: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/cc" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var isAvailable: Bool { path != nil }

    /// `cc -shared -fPIC -I <ABI headers> <arguments> -o <output> <source> <libraries>`; throws
    /// with the compiler's output when it fails. Libraries come after the source, so that the
    /// linker (with --as-needed) records them as dependencies.
    static func sharedLibrary(from source: URL, to output: URL, arguments: [String] = [], libraries: [String] = []) throws {
        guard let path else { throw FixtureError("no C compiler: `cc` is not on PATH") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-shared", "-fPIC", "-I", PackagePaths.abiInclude.path] + arguments
            + ["-o", output.path, source.path] + libraries
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError("cc \((process.arguments ?? []).joined(separator: " ")) failed:\n\(text)")
        }
    }
}

/// Why the test setup itself failed (not what a test checks).
struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Trait where Self == ConditionTrait {
    /// Skips tests that compile C plugins when there is no C compiler.
    static var needsCCompiler: Self {
        .enabled(if: CCompiler.isAvailable, "needs a C compiler (`cc` on PATH) to build the fixture plugins")
    }
}

/// A fresh folder under the system's temporary folder, removed when the value goes away.
final class TemporaryDirectory: @unchecked Sendable {
    let url: URL

    init(_ label: String = "rlrun-plugin-tests") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes `text` to `name` in this folder.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        let file = file(name)
        try Data(text.utf8).write(to: file)
        return file
    }

    /// Copies `source` into this folder as `name`.
    @discardableResult
    func copy(_ source: URL, as name: String) throws -> URL {
        let file = file(name)
        try FileManager.default.copyItem(at: source, to: file)
        return file
    }
}

/// Builds of Fixtures/test_plugin.c, one per set of -D macros, made once per process into one
/// folder (the loader keeps libraries open by path, so a built file is never rebuilt).
enum FixturePlugins {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var built: [String: URL] = [:]
    private static let directory: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("rlrun-fixtures-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { FixturePlugins.removeDirectory() }
        return url
    }()

    private static func removeDirectory() { try? FileManager.default.removeItem(at: directory) }

    /// `lib<name>.so` built from test_plugin.c with `defines` (e.g. ["FIXTURE_SCORE_FAILS"]).
    static func library(_ name: String, defines: [String] = [], arguments: [String] = []) throws -> URL {
        lock.lock()
        defer { lock.unlock() }
        if let url = built[name] { return url }
        let url = directory.appendingPathComponent("lib\(name).so")
        try CCompiler.sharedLibrary(from: PackagePaths.fixtureSource, to: url,
                                    arguments: defines.map { "-D\($0)" } + arguments)
        built[name] = url
        return url
    }

    /// The good plugin (id "fixture").
    static func good() throws -> URL { try library("fixture") }
}

/// Collects what plugins log through the host services.
final class LogRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(PluginHost.LogLevel, String)] = []

    var messages: [String] {
        lock.lock()
        defer { lock.unlock() }
        return entries.map(\.1)
    }

    var host: PluginHost {
        PluginHost(log: { [self] level, message in
            lock.lock()
            defer { lock.unlock() }
            entries.append((level, message))
        })
    }
}

extension PluginLoader {
    /// A loader that searches only `directories`.
    init(directories: [URL], host: PluginHost = PluginHost(), pins: [String: String] = [:]) {
        self.init(searchPath: PluginSearchPath(directories: directories), host: host, pins: pins)
    }
}

/// A batch of completions with everything else defaulted.
func rewardBatch(_ completions: [String], references: [String?]? = nil, metadata: [String?]? = nil,
                 tokens: [Int]? = nil) -> RewardBatch {
    RewardBatch(prompts: completions.map { _ in "prompt" }, completions: completions,
                references: references ?? completions.map { _ in nil }, metadata: metadata,
                completionTokens: tokens ?? completions.map { $0.split(separator: " ").count })
}

/// Checks that `values` are within `tolerance` of `expected`, element by element.
func expectClose(_ values: [Double], _ expected: [Double], tolerance: Double = 1e-9, _ what: String = "",
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(values.count == expected.count, "\(what) \(values) vs \(expected)", sourceLocation: sourceLocation)
    for (value, wanted) in zip(values, expected) where abs(value - wanted) > tolerance {
        Issue.record("\(what) \(values) differs from \(expected)", sourceLocation: sourceLocation)
        return
    }
}
