import RLRunSDK
import Yams

/// YAML (or JSON) settings text as a `JSONValue`, read from Yams' node tree instead of through
/// `Yams.load`. Yams' own conversion force-unwraps every mapping key as a string, so a key that
/// is itself a list or a mapping (`[a]: 1`, `? {b: 2}`) stopped the process; here it is an
/// error naming the line. The walk also caps how far aliases may expand, since aliases of
/// aliases grow exponentially (a few hundred bytes can stand for billions of values).
enum YAMLSettings {
    /// Far more than any settings file holds; past it the file is taken to be an alias bomb.
    static let maximumValues = 100_000
    /// Settings are a few levels deep; this bounds the recursion of the walk.
    static let maximumDepth = 100

    /// The document's value, or nil for an empty document.
    static func parse(_ text: String, source: String) throws -> JSONValue? {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw ConfigurationError(source: source, message: "not valid YAML: \(error)")
        }
        guard let root else { return nil }
        var walk = Walk(source: source)
        return try walk.value(of: root, depth: 0)
    }

    private struct Walk {
        let source: String
        var values = 0

        mutating func value(of node: Node, depth: Int) throws -> JSONValue {
            values += 1
            guard values <= YAMLSettings.maximumValues else {
                throw error(at: node, "more than \(YAMLSettings.maximumValues) values (do aliases expand into each other?)")
            }
            guard depth <= YAMLSettings.maximumDepth else {
                throw error(at: node, "nested more than \(YAMLSettings.maximumDepth) levels deep")
            }
            switch node {
            case .scalar(let scalar):
                return try value(of: scalar, tag: tagName(of: node), node: node)
            case .sequence(let sequence):
                return .array(try sequence.map { try value(of: $0, depth: depth + 1) })
            case .mapping(let mapping):
                guard tagName(of: node) != .set else { throw error(at: node, "unsupported YAML value (a !!set)") }
                return .object(try fields(of: mapping, depth: depth))
            case .alias:
                throw error(at: node, "unresolved alias")
            }
        }

        /// Plain YAML types as JSON ones; a scalar whose tag's reading fails stays text, as with `Yams.load`.
        private func value(of scalar: Node.Scalar, tag: Tag.Name, node: Node) throws -> JSONValue {
            switch tag {
            case .null: return .null
            case .bool: if let value = Bool.construct(from: scalar) { return .bool(value) }
            case .int: if let value = Int.construct(from: scalar) { return .number(Double(value)) }
            case .float: if let value = Double.construct(from: scalar) { return .number(value) }
            case .binary, .timestamp: throw error(at: node, "unsupported YAML value \(scalar.string) (a !!\(tag.rawValue.split(separator: ":").last ?? ""))")
            default: break
            }
            return .string(scalar.string)
        }

        /// A mapping's fields, later keys winning; `<<: *defaults` merges fields the mapping does not set itself.
        private mutating func fields(of mapping: Node.Mapping, depth: Int) throws -> [String: JSONValue] {
            guard depth <= YAMLSettings.maximumDepth else {
                throw ConfigurationError(source: source, message: "merges ('<<') nested more than \(YAMLSettings.maximumDepth) levels deep")
            }
            var own: [String: JSONValue] = [:]
            var merged: [String: JSONValue] = [:]
            for (key, value) in mapping {
                if tagName(of: key) == .merge {
                    for source in try mergeSources(value) {
                        merged.merge(try fields(of: source, depth: depth + 1)) { $1 }
                    }
                    continue
                }
                guard case .scalar(let name) = key else {
                    throw error(at: key, "a key must be a plain name, not a \(key.mapping == nil ? "list" : "mapping")")
                }
                own[name.string] = try self.value(of: value, depth: depth + 1)
            }
            return merged.merging(own) { $1 }
        }

        /// What `<<` merges: a mapping, or a list of mappings where the earlier ones win.
        private func mergeSources(_ node: Node) throws -> [Node.Mapping] {
            switch node {
            case .mapping(let mapping): return [mapping]
            case .sequence(let sequence):
                return try sequence.reversed().map { item in
                    guard let mapping = item.mapping else { throw error(at: item, "'<<' merges mappings only") }
                    return mapping
                }
            default: throw error(at: node, "'<<' merges mappings only")
            }
        }

        /// The node's resolved tag (`Tag.name` is internal to Yams; its description is the name).
        private func tagName(of node: Node) -> Tag.Name { Tag.Name(rawValue: node.tag.description) }

        private func error(at node: Node, _ problem: String) -> ConfigurationError {
            let place = node.mark.map { " (line \($0.line), column \($0.column))" } ?? ""
            return ConfigurationError(source: source, message: problem + place)
        }
    }
}
