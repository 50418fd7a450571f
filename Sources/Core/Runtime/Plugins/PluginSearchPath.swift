import Foundation

/// Where plugins are looked for, in order:
/// 1. the directories in `RLRUN_PLUGIN_PATH` (colon-separated),
/// 2. the directory of the running executable (where `swift build` puts rlrun's own plugins),
/// 3. `~/.rlrun/plugins` (per user).
///
/// A name resolves as a path when it contains a `/`; otherwise `dapo`, `dapo.so` and
/// `libdapo.so` all find `libdapo.so` (or `dapo.so`) in the first directory that has it.
public struct PluginSearchPath: Sendable {
    public static let environmentVariable = "RLRUN_PLUGIN_PATH"

    public var directories: [URL]

    public init(directories: [URL]) { self.directories = directories }

    /// The documented default order, read from the environment.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> PluginSearchPath {
        var directories: [URL] = []
        if let list = environment[environmentVariable] {
            directories += list.split(separator: ":").map { URL(fileURLWithPath: String($0), isDirectory: true) }
        }
        if let executable = executableDirectory() { directories.append(executable) }
        if let home = environment["HOME"] {
            directories.append(URL(fileURLWithPath: home).appendingPathComponent(".rlrun/plugins", isDirectory: true))
        }
        var seen = Set<String>()
        return PluginSearchPath(directories: directories.filter { seen.insert($0.standardizedFileURL.path).inserted })
    }

    private static func executableDirectory() -> URL? {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            return Bundle.main.executableURL?.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: path).deletingLastPathComponent()
    }

    /// File names a plugin name may have on disk, most specific first.
    public static func fileNames(for name: String) -> [String] {
        var base = name
        if base.hasSuffix(".so") { base.removeLast(3) }
        if base.hasPrefix("lib") { return ["\(base).so", "lib\(base).so"] }
        return ["lib\(base).so", "\(base).so"]
    }

    /// The file `name` refers to, or an error listing where it was looked for.
    public func resolve(_ name: String) throws -> URL {
        if name.contains("/") {
            let url = URL(fileURLWithPath: name)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw PluginLoadError(file: url.path, problem: "no such file",
                                      fix: "check the path, or give a plugin name to search \(describe())")
            }
            return url
        }
        for directory in directories {
            for file in Self.fileNames(for: name) {
                let url = directory.appendingPathComponent(file)
                if FileManager.default.fileExists(atPath: url.path) { return url }
            }
        }
        throw PluginLoadError(file: name, problem: "plugin not found (looked for \(Self.fileNames(for: name).joined(separator: " or ")) in \(describe()))",
                              fix: "build it (swift build), pass its path, or add its folder to \(Self.environmentVariable); `rlrun plugins` lists what is found")
    }

    /// Every shared library in the search directories (first occurrence of each file name).
    public func libraries() -> [URL] {
        var seen = Set<String>()
        var found: [URL] = []
        for directory in directories {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            for file in files.sorted() where file.hasSuffix(".so") && seen.insert(file).inserted {
                found.append(directory.appendingPathComponent(file))
            }
        }
        return found
    }

    public func describe() -> String {
        directories.isEmpty ? "(no directories)" : directories.map(\.path).joined(separator: ", ")
    }
}

/// A plugin that could not be used: names the file, what is wrong and what to do.
public struct PluginLoadError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let problem: String
    public let fix: String

    public init(file: String, problem: String, fix: String) {
        self.file = file
        self.problem = problem
        self.fix = fix
    }

    public var description: String { "plugin \(file): \(problem). \(fix)" }
}
