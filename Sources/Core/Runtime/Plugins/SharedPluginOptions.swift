import RLRunSDK

/// `--option ID.KEY=VALUE` where one id names two plugins: gsm8k is a dataset (path, format)
/// and a reward (mode, correct, ...). Each gets the keys it declares and none of the keys only
/// its sibling declares; a key neither declares goes to both, which refuse it with their list.
public enum SharedPluginOptions {
    public static func options(_ given: [String: JSONValue], for plugin: PluginDescriptor,
                               siblings candidates: [PluginDescriptor]) -> [String: JSONValue] {
        let siblings = candidates.filter { $0.id == plugin.id && $0.kind != plugin.kind }
        guard !siblings.isEmpty else { return given }
        let own = Set(plugin.options.map(\.name)), theirs = Set(siblings.flatMap { $0.options.map(\.name) })
        return given.filter { own.contains($0.key) || !theirs.contains($0.key) }
    }
}
