import Foundation
import RLRunABI

/// Turns Swift plugin types into the C plugin list a library exports. A plugin library needs
/// one line:
///
///     @_cdecl("rlrun_plugin_entry") public func rlrunPluginEntry() -> UnsafeRawPointer { PluginLibrary.export(.reward(MyReward.self)) }
public enum PluginLibrary {
    /// The library's `rlrun_plugin_list`, built on the first call and kept for the lifetime of
    /// the library (the host reads the descriptors for as long as it has the library loaded).
    public static func export(_ entries: PluginEntry...) -> UnsafeRawPointer {
        registry.list(for: entries)
    }
}

/// Per-image record of the exported descriptors, so `create` finds the Swift type behind the
/// descriptor the host passes back.
final class Registry: @unchecked Sendable {
    private let lock = NSLock()
    private var exported: UnsafeMutablePointer<rlrun_plugin_list>?
    private var entries: [UnsafeRawPointer: PluginEntry] = [:]

    func list(for entries: [PluginEntry]) -> UnsafeRawPointer {
        lock.lock()
        defer { lock.unlock() }
        if let exported { return UnsafeRawPointer(exported) }
        let descriptors = UnsafeMutablePointer<UnsafePointer<rlrun_plugin>?>.allocate(capacity: max(1, entries.count))
        for (i, entry) in entries.enumerated() {
            let descriptor = describe(entry)
            self.entries[UnsafeRawPointer(descriptor)] = entry
            descriptors[i] = UnsafePointer(descriptor)
        }
        let list = UnsafeMutablePointer<rlrun_plugin_list>.allocate(capacity: 1)
        list.initialize(to: rlrun_plugin_list(abi_version: UInt32(RLRUN_PLUGIN_ABI_VERSION),
                                              count: UInt32(entries.count), plugins: UnsafePointer(descriptors)))
        exported = list
        return UnsafeRawPointer(list)
    }

    func entry(for descriptor: UnsafeRawPointer) -> PluginEntry? {
        lock.lock()
        defer { lock.unlock() }
        return entries[descriptor]
    }
}

let registry = Registry()

/// A C string that lives as long as the library.
func permanent(_ text: String) -> UnsafePointer<CChar> { UnsafePointer(strdup(text)!) }

private func describe(_ entry: PluginEntry) -> UnsafeMutablePointer<rlrun_plugin> {
    let options = UnsafeMutablePointer<rlrun_option>.allocate(capacity: max(1, entry.info.options.count))
    for (i, option) in entry.info.options.enumerated() {
        var choices: UnsafePointer<CChar>?
        if case .choice(let values) = option.type { choices = permanent(values.joined(separator: "|")) }
        options[i] = rlrun_option(name: permanent(option.name), type: permanent(option.type.name),
                                  default_json: permanent(option.defaultValue.jsonText), help: permanent(option.help),
                                  choices: choices)
    }
    let descriptor = UnsafeMutablePointer<rlrun_plugin>.allocate(capacity: 1)
    descriptor.initialize(to: rlrun_plugin(
        abi_version: UInt32(RLRUN_PLUGIN_ABI_VERSION),
        kind: entry.kind.rawValue,
        id: permanent(entry.info.id),
        version: permanent(entry.info.version),
        description: permanent(entry.info.summary),
        options: UnsafePointer(options),
        option_count: UInt32(entry.info.options.count),
        flags: entry.flags,
        create: createInstance,
        destroy: destroyInstance,
        save_state: entry.stateful ? saveInstanceState : nil,
        load_state: entry.stateful ? loadInstanceState : nil,
        calls: callTable(for: entry.kind)
    ))
    return descriptor
}
