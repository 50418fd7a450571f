/// A plugin's option values: every declared option, given or defaulted, checked against its
/// declaration. Unknown names and wrong types are refused with a message naming both.
public struct PluginConfiguration: Sendable {
    public let pluginID: String
    public let values: [String: JSONValue]

    /// Validates `given` against `options` and fills in defaults.
    public init(pluginID: String, options: [PluginOption], given: [String: JSONValue]) throws {
        var known: [String: PluginOption] = [:]
        for option in options {
            guard known.updateValue(option, forKey: option.name) == nil else {
                throw PluginError(.config, "plugin '\(pluginID)' declares option '\(option.name)' twice: give each option a distinct name")
            }
        }
        for name in given.keys.sorted() where known[name] == nil {
            let names = options.map(\.name).sorted().joined(separator: ", ")
            throw PluginError(.config, "unknown option '\(name)' for plugin '\(pluginID)'; its options are: \(names.isEmpty ? "(none)" : names)")
        }
        var values: [String: JSONValue] = [:]
        for option in options {
            let value = given[option.name] ?? option.defaultValue
            try option.validate(value)
            values[option.name] = value
        }
        self.pluginID = pluginID
        self.values = values
    }

    /// Parses a JSON object of option values.
    public init(pluginID: String, options: [PluginOption], json: String) throws {
        let parsed = try JSONValue(parsing: json.isEmpty ? "{}" : json)
        guard let object = parsed.objectValue else {
            throw PluginError(.config, "the configuration of '\(pluginID)' must be a JSON object, got \(parsed.typeName)")
        }
        try self.init(pluginID: pluginID, options: options, given: object)
    }

    public var jsonText: String { JSONValue.object(values).jsonText }

    private func value(_ name: String) throws -> JSONValue {
        guard let value = values[name] else {
            throw PluginError(.config, "plugin '\(pluginID)' reads option '\(name)' that it does not declare")
        }
        return value
    }

    public func double(_ name: String) throws -> Double {
        guard let v = try value(name).doubleValue else { throw PluginError(.config, "option '\(name)' is not a number") }
        return v
    }

    public func int(_ name: String) throws -> Int {
        guard let v = try value(name).intValue else { throw PluginError(.config, "option '\(name)' is not an integer") }
        return v
    }

    public func bool(_ name: String) throws -> Bool {
        guard let v = try value(name).boolValue else { throw PluginError(.config, "option '\(name)' is not a boolean") }
        return v
    }

    /// A string or choice option; nil when its value is null.
    public func string(_ name: String) throws -> String? { try value(name).stringValue }

    public func json(_ name: String) throws -> JSONValue { try value(name) }
}
