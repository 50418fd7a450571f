import RLRunABI

/// The four kinds of plugin.
public enum PluginKind: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case algorithm = 1
    case reward = 2
    case masking = 3
    case dataset = 4

    public var description: String {
        switch self {
        case .algorithm: "algorithm"
        case .reward: "reward"
        case .masking: "masking"
        case .dataset: "dataset"
        }
    }
}

/// One configuration option of a plugin: documented, defaulted and type-checked.
public struct PluginOption: Sendable, Equatable {
    public enum ValueType: Sendable, Equatable {
        case number
        case integer
        case boolean
        case string
        case choice([String])
        /// Any JSON value (lists, objects).
        case json

        public var name: String {
            switch self {
            case .number: "number"
            case .integer: "integer"
            case .boolean: "boolean"
            case .string: "string"
            case .choice: "choice"
            case .json: "json"
            }
        }
    }

    public let name: String
    public let type: ValueType
    public let defaultValue: JSONValue
    public let help: String

    public init(_ name: String, _ type: ValueType, default defaultValue: JSONValue, help: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.help = help
    }

    public static func number(_ name: String, default value: Double, help: String) -> PluginOption {
        PluginOption(name, .number, default: .number(value), help: help)
    }

    public static func integer(_ name: String, default value: Int, help: String) -> PluginOption {
        PluginOption(name, .integer, default: .number(Double(value)), help: help)
    }

    public static func boolean(_ name: String, default value: Bool, help: String) -> PluginOption {
        PluginOption(name, .boolean, default: .bool(value), help: help)
    }

    public static func string(_ name: String, default value: String?, help: String) -> PluginOption {
        PluginOption(name, .string, default: value.map(JSONValue.string) ?? .null, help: help)
    }

    public static func choice(_ name: String, _ choices: [String], default value: String, help: String) -> PluginOption {
        PluginOption(name, .choice(choices), default: .string(value), help: help)
    }

    /// Checks that `value` fits this option; null is accepted only when the default is null.
    public func validate(_ value: JSONValue) throws {
        let ok: Bool
        switch (type, value) {
        case (_, .null): ok = defaultValue == .null
        case (.number, .number(let v)): ok = v.isFinite
        case (.integer, _): ok = value.intValue != nil
        case (.boolean, .bool): ok = true
        case (.string, .string): ok = true
        case (.choice(let choices), .string(let v)):
            guard choices.contains(v) else {
                throw PluginError(.config, "option '\(name)' must be one of \(choices.joined(separator: ", ")); got \"\(v)\"")
            }
            ok = true
        case (.json, _): ok = true
        default: ok = false
        }
        if !ok {
            let article = type.name == "integer" ? "an" : "a"
            let got = value == .null ? "null" : "\(value.typeName) \(value.jsonText)"
            throw PluginError(.config, "option '\(name)' expects \(article) \(type.name) (\(help)); got \(got)")
        }
    }
}

/// What a plugin declares about itself.
public struct PluginInfo: Sendable {
    public let id: String
    public let version: String
    public let summary: String
    public let options: [PluginOption]
    public let threadSafe: Bool

    public init(id: String, version: String, summary: String, options: [PluginOption] = [], threadSafe: Bool = false) {
        self.id = id
        self.version = version
        self.summary = summary
        self.options = options
        self.threadSafe = threadSafe
    }
}
