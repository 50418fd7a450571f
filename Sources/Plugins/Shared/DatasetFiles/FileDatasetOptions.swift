import RLRunSDK

/// The options the JSONL datasets with a field mapping (`jsonl`, `preferences`) share: where
/// the data is, a system prompt, a held-out split and what to do with malformed lines.
public enum FileDatasetOptions {
    /// `path`, then the dataset's own `fields`, then the shared rest: the order in which
    /// `rlrun plugins inspect` lists them.
    public static func declare(_ fields: [PluginOption]) -> [PluginOption] {
        [.string("path", default: nil, help: "a JSONL file (the train split) or a folder whose NAME.jsonl files are the splits")]
            + fields
            + [
                .string("system", default: nil, help: "system prompt for every item"),
                .number("held_out", default: 0, help: "fraction of train moved to a test split (when the data has no test file)"),
                .integer("seed", default: 0, help: "seed of the held-out choice"),
                .boolean("skip_invalid", default: false, help: "skip malformed lines (and log how many) instead of stopping at the first"),
            ]
    }

    /// The shared values; `path` must be given.
    public static func read(_ configuration: PluginConfiguration) throws -> (path: String, system: String?, loader: SplitLoader) {
        guard let path = try configuration.string("path") else {
            throw PluginError(.config, "the \(configuration.pluginID) dataset needs its data: pass --option \(configuration.pluginID).path=FILE_OR_FOLDER")
        }
        let loader = SplitLoader(heldOut: try configuration.double("held_out"),
                                 seed: UInt64(bitPattern: Int64(try configuration.int("seed"))),
                                 skipInvalid: try configuration.bool("skip_invalid"))
        return (path, try configuration.string("system"), loader)
    }
}
