import Foundation
import RLRunABI
import RLRunSDK

/// A plugin as its library describes it: checked on load, and the way to create instances.
public struct PluginDescriptor: @unchecked Sendable {
    public let file: URL
    public let kind: PluginKind
    public let id: String
    public let version: String
    public let summary: String
    public let options: [PluginOption]
    public let flags: UInt32
    let pointer: UnsafePointer<rlrun_plugin>

    init(_ pointer: UnsafePointer<rlrun_plugin>, file: URL) throws {
        let plugin = pointer.pointee
        let path = file.path
        try LoadedLibrary.checkABI(plugin.abi_version, path: path, what: "a plugin in it")
        func text(_ value: UnsafePointer<CChar>?, _ field: String) throws -> String {
            guard let value else {
                throw PluginLoadError(file: path, problem: "its descriptor has no \(field)", fix: "fill every descriptor field (Plugins.md)")
            }
            return String(cString: value)
        }
        let id = try text(plugin.id, "id")
        guard !id.isEmpty, id.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw PluginLoadError(file: path, problem: "plugin id '\(id)' is not lowercase letters, digits, '-' or '_'", fix: "rename the plugin")
        }
        guard let kind = PluginKind(rawValue: plugin.kind) else {
            throw PluginLoadError(file: path, problem: "plugin '\(id)' has unknown kind \(plugin.kind)", fix: "use an rlrun_kind value")
        }
        guard plugin.create != nil, plugin.destroy != nil, plugin.calls != nil else {
            throw PluginLoadError(file: path, problem: "plugin '\(id)' lacks create, destroy or its calls table", fix: "fill every descriptor field (Plugins.md)")
        }
        self.file = file
        self.kind = kind
        self.id = id
        self.version = try text(plugin.version, "version")
        self.summary = try text(plugin.description, "description")
        self.flags = plugin.flags
        self.pointer = pointer
        guard plugin.option_count == 0 || plugin.options != nil else {
            throw PluginLoadError(file: path, problem: "plugin '\(id)' declares \(plugin.option_count) options but its options table is NULL",
                                  fix: "point options at the rlrun_option array, or set option_count to 0")
        }
        self.options = try (0..<Int(plugin.option_count)).map { i in
            try Self.option(plugin.options![i], plugin: id, path: path)
        }
        var declared = Set<String>()
        for option in options where !declared.insert(option.name).inserted {
            throw PluginLoadError(file: path, problem: "plugin '\(id)' declares option '\(option.name)' twice",
                                  fix: "give each rlrun_option a distinct name")
        }
        try checkCalls()
    }

    private static func option(_ option: rlrun_option, plugin: String, path: String) throws -> PluginOption {
        guard let namePointer = option.name, let typePointer = option.type, let defaultPointer = option.default_json else {
            throw PluginLoadError(file: path, problem: "an option of '\(plugin)' lacks its name, type or default", fix: "fill every rlrun_option field")
        }
        let name = String(cString: namePointer)
        let type: PluginOption.ValueType
        switch String(cString: typePointer) {
        case "number": type = .number
        case "integer": type = .integer
        case "boolean": type = .boolean
        case "string": type = .string
        case "json": type = .json
        case "choice": type = .choice(option.choices.map { String(cString: $0).split(separator: "|").map(String.init) } ?? [])
        case let other:
            throw PluginLoadError(file: path, problem: "option '\(name)' of '\(plugin)' has unknown type '\(other)'",
                                  fix: "use number, integer, boolean, string, choice or json")
        }
        let defaultValue: JSONValue
        do {
            defaultValue = try JSONValue(parsing: String(cString: defaultPointer))
        } catch {
            throw PluginLoadError(file: path, problem: "the default of option '\(name)' of '\(plugin)' is \(error)", fix: "write the default as JSON text")
        }
        return PluginOption(name, type, default: defaultValue, help: option.help.map { String(cString: $0) } ?? "")
    }

    private func checkCalls() throws {
        let missing: Bool
        switch kind {
        case .reward: missing = pointer.pointee.calls!.load(as: rlrun_reward_calls.self).score == nil
        case .dataset:
            let calls = pointer.pointee.calls!.load(as: rlrun_dataset_calls.self)
            missing = calls.splits == nil || calls.size == nil || calls.item == nil
        case .masking: missing = pointer.pointee.calls!.load(as: rlrun_masking_calls.self).choose == nil
        case .algorithm:
            let calls = pointer.pointee.calls!.load(as: rlrun_algorithm_calls.self)
            missing = calls.requirements == nil || calls.advantages == nil || calls.loss == nil
        }
        if missing {
            throw PluginLoadError(file: file.path, problem: "\(kind) plugin '\(id)' leaves a required call of its table NULL",
                                  fix: "implement every required call of rlrun_\(kind)_calls (Plugins.md)")
        }
    }

    /// "gsm8k 1.0.0 (reward, libgsm8k.so)"
    public var label: String { "\(id) \(version) (\(kind), \(file.lastPathComponent))" }
}
