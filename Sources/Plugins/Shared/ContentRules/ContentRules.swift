import RLRunSDK

/// The categories a reward checks completions against: some of the defaults plus the user's
/// own, given as plugin options.
public struct ContentRules: Sendable {
    public let categories: [ContentCategory]

    public init(categories: [ContentCategory]) { self.categories = categories }

    /// `defaultNames`: a JSON array naming defaults to keep (`["refusal", "unsafe"]`).
    /// `custom`: a JSON object `{"name": {"phrases": [...], "patterns": [...]}}`; a custom
    /// category with a default's name replaces it.
    public init(defaultNames: JSONValue, custom: JSONValue) throws {
        guard let names = defaultNames.arrayValue?.compactMap(\.stringValue), names.count == defaultNames.arrayValue?.count else {
            throw PluginError(.config, "default_categories must be a JSON array of names, e.g. [\"refusal\", \"unsafe\"]; got \(defaultNames.jsonText)")
        }
        var chosen: [ContentCategory] = []
        for name in names {
            guard let category = ContentCategory.defaults.first(where: { $0.name == name }) else {
                let known = ContentCategory.defaults.map(\.name).joined(separator: ", ")
                throw PluginError(.config, "no default content category '\(name)'; the defaults are: \(known)")
            }
            chosen.append(category)
        }
        guard let entries = custom.objectValue else {
            throw PluginError(.config, "categories must be a JSON object like {\"spam\": {\"phrases\": [\"buy now\"], \"patterns\": [\"https?://\"]}}; got \(custom.jsonText)")
        }
        for name in entries.keys.sorted() {
            let category = try Self.category(named: name, from: entries[name]!)
            chosen.removeAll { $0.name == name }
            chosen.append(category)
        }
        categories = chosen
    }

    private static func category(named name: String, from value: JSONValue) throws -> ContentCategory {
        guard let fields = value.objectValue else {
            throw PluginError(.config, "content category '\(name)' must be an object with \"phrases\" and/or \"patterns\"; got \(value.jsonText)")
        }
        if let unknown = fields.keys.sorted().first(where: { $0 != "phrases" && $0 != "patterns" }) {
            throw PluginError(.config, "content category '\(name)' has unknown field '\(unknown)'; use \"phrases\" and \"patterns\"")
        }
        func strings(_ key: String) throws -> [String] {
            guard let value = fields[key] else { return [] }
            guard let items = value.arrayValue?.compactMap(\.stringValue), items.count == value.arrayValue?.count else {
                throw PluginError(.config, "\"\(key)\" of content category '\(name)' must be an array of strings; got \(value.jsonText)")
            }
            return items
        }
        return try ContentCategory(name: name, phrases: strings("phrases"), patterns: strings("patterns"))
    }

    /// Matches per category, in the order of `categories`.
    public func matchCounts(in text: String) -> [Int] { categories.map { $0.matchCount(in: text) } }
}
