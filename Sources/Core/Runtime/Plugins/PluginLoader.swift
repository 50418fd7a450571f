import Foundation
import RLRunSDK

/// Finds plugins by name, checks them, and creates instances wrapped in the Swift protocols.
public struct PluginLoader: Sendable {
    public var searchPath: PluginSearchPath
    public var host: PluginHost
    /// Pinned digests by plugin name or file name: the file must match before it is opened.
    public var pins: [String: String]

    public init(searchPath: PluginSearchPath = .standard(), host: PluginHost = PluginHost(), pins: [String: String] = [:]) {
        self.searchPath = searchPath
        self.host = host
        self.pins = pins
    }

    /// The plugin of `kind` that `name` refers to: a path or a name on the search path. A
    /// library holding several plugins of that kind is narrowed down by id.
    public func descriptor(named name: String, kind: PluginKind) throws -> PluginDescriptor {
        let url = try searchPath.resolve(name)
        let pin = pins[name] ?? pins[url.lastPathComponent]
        let library = try LoadedLibrary.open(url, sha256: pin)
        let candidates = library.plugins.filter { $0.kind == kind }
        guard !candidates.isEmpty else {
            let held = library.plugins.map { "\($0.kind) '\($0.id)'" }.joined(separator: ", ")
            throw PluginLoadError(file: url.path, problem: "holds \(held.isEmpty ? "no plugins" : held), not \(kind == .algorithm ? "an" : "a") \(kind) plugin",
                                  fix: library.plugins.first.map { "pass it where \($0.kind == .algorithm ? "an" : "a") \($0.kind) is expected (e.g. --\($0.kind))" } ?? "check the file")
        }
        if candidates.count == 1 { return candidates[0] }
        let id = Self.baseName(name)
        guard let match = candidates.first(where: { $0.id == id }) else {
            throw PluginLoadError(file: url.path, problem: "holds several \(kind) plugins (\(candidates.map(\.id).joined(separator: ", ")))",
                                  fix: "name the one you want by id")
        }
        return match
    }

    /// `libdapo.so`, `dapo.so`, `./x/libdapo.so` → `dapo`.
    public static func baseName(_ name: String) -> String {
        var base = URL(fileURLWithPath: name).lastPathComponent
        if base.hasSuffix(".so") { base.removeLast(3) }
        if base.hasPrefix("lib") { base.removeFirst(3) }
        return base
    }

    public func instance(named name: String, kind: PluginKind, options: [String: JSONValue] = [:]) throws -> PluginInstance {
        try PluginInstance(descriptor: descriptor(named: name, kind: kind), options: options, services: host)
    }

    public func reward(_ name: String, options: [String: JSONValue] = [:]) throws -> HostedReward {
        HostedReward(try instance(named: name, kind: .reward, options: options))
    }

    public func dataset(_ name: String, options: [String: JSONValue] = [:]) throws -> HostedDataset {
        try HostedDataset(instance(named: name, kind: .dataset, options: options))
    }

    public func masking(_ name: String, options: [String: JSONValue] = [:]) throws -> HostedMasking {
        HostedMasking(try instance(named: name, kind: .masking, options: options))
    }

    public func algorithm(_ name: String, options: [String: JSONValue] = [:]) throws -> HostedAlgorithm {
        try HostedAlgorithm(instance(named: name, kind: .algorithm, options: options))
    }

    /// Every plugin in the search path, and the libraries that failed to load (with why).
    /// Shared libraries without the entry symbol are not plugins and are left out.
    public func discover() -> (plugins: [PluginDescriptor], failures: [PluginLoadError]) {
        var plugins: [PluginDescriptor] = []
        var failures: [PluginLoadError] = []
        for url in searchPath.libraries() {
            do {
                plugins += try LoadedLibrary.open(url).plugins
            } catch let error as PluginLoadError where error.problem.contains("exports no") {
                continue
            } catch let error as PluginLoadError {
                failures.append(error)
            } catch {
                failures.append(PluginLoadError(file: url.path, problem: "\(error)", fix: "check the file"))
            }
        }
        return (plugins, failures)
    }
}
