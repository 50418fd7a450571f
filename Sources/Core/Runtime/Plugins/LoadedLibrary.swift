import Foundation
import RLRunABI
import RLRunSDK

/// A plugin library opened with `dlopen`, its entry point called and every descriptor checked.
/// Libraries stay loaded for the life of the process: their descriptors and code back every
/// instance made from them.
public final class LoadedLibrary: @unchecked Sendable {
    public let url: URL
    public let plugins: [PluginDescriptor]

    private static let lock = NSLock()
    nonisolated(unsafe) private static var loaded: [String: LoadedLibrary] = [:]

    private init(url: URL, plugins: [PluginDescriptor]) {
        self.url = url
        self.plugins = plugins
    }

    /// Opens `url` (once per process). With `sha256`, the file's digest must match first.
    public static func open(_ url: URL, sha256: String? = nil) throws -> LoadedLibrary {
        let path = url.standardizedFileURL.path
        if let expected = sha256 {
            guard expected.count == 64, expected.allSatisfy(\.isHexDigit) else {
                throw PluginLoadError(file: path, problem: "the pinned digest '\(expected)' is not a SHA-256 (64 hex digits)",
                                      fix: "pin the output of `sha256sum \(path)`")
            }
            let actual = try SHA256.hex(fileAt: url)
            guard actual == expected.lowercased() else {
                throw PluginLoadError(file: path, problem: "sha256 is \(actual), but the configuration pins \(expected)",
                                      fix: "the file changed since it was pinned: rebuild the plugin you trust, or update the pinned digest")
            }
        }
        lock.lock()
        defer { lock.unlock() }
        if let library = loaded[path] { return library }
        let library = try load(path)
        loaded[path] = library
        return library
    }

    private static func load(_ path: String) throws -> LoadedLibrary {
        guard FileManager.default.fileExists(atPath: path) else {
            throw PluginLoadError(file: path, problem: "no such file", fix: "check the path or build the plugin")
        }
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            throw PluginLoadError(file: path, problem: "cannot be loaded: \(reason)", fix: loadFix(for: reason))
        }
        guard let symbol = dlsym(handle, RLRUN_PLUGIN_ENTRY_SYMBOL) else {
            throw PluginLoadError(file: path, problem: "is a shared library but exports no \(RLRUN_PLUGIN_ENTRY_SYMBOL)",
                                  fix: "it is not an rlrun plugin; a plugin exports `const rlrun_plugin_list *rlrun_plugin_entry(void)` (see Plugins.md)")
        }
        let entry = unsafeBitCast(symbol, to: rlrun_plugin_entry_fn.self)
        guard let list = entry() else {
            throw PluginLoadError(file: path, problem: "\(RLRUN_PLUGIN_ENTRY_SYMBOL) returned NULL", fix: "the plugin must return its plugin list")
        }
        try checkABI(list.pointee.abi_version, path: path, what: "its plugin list")
        let descriptors = try (0..<Int(list.pointee.count)).map { i -> PluginDescriptor in
            guard let plugin = list.pointee.plugins?[i] else {
                throw PluginLoadError(file: path, problem: "plugin list entry \(i) is NULL", fix: "fix the plugin's list")
            }
            return try PluginDescriptor(plugin, file: URL(fileURLWithPath: path))
        }
        return LoadedLibrary(url: URL(fileURLWithPath: path), plugins: descriptors)
    }

    static func checkABI(_ version: UInt32, path: String, what: String) throws {
        guard version == UInt32(RLRUN_PLUGIN_ABI_VERSION) else {
            throw PluginLoadError(file: path, problem: "\(what) was built for plugin ABI version \(version); this rlrun speaks version \(RLRUN_PLUGIN_ABI_VERSION)",
                                  fix: "rebuild the plugin against this rlrun's rlrun_plugin.h / RLRunSDK")
        }
    }

    private static func loadFix(for reason: String) -> String {
        if reason.contains("cannot open shared object file") && !reason.hasPrefix("/") {
            return "a library it depends on is missing: install it or add its folder to the plugin's rpath (ldd shows which)"
        }
        if reason.contains("invalid ELF header") || reason.contains("file too short") || reason.contains("not an ELF") {
            return "the file is not a shared library: rebuild the plugin (e.g. `cc -shared -fPIC`)"
        }
        if reason.contains("undefined symbol") {
            return "the plugin needs a symbol no loaded library provides: rebuild it against this rlrun"
        }
        return "check that it is a shared library built for this machine"
    }
}
