import RLRunSDK

extension PluginHost {
    /// A host whose plugins' messages go to `log` as rlrun's own lines (warnings as `[WARN]`).
    public static func forwarding(to log: @escaping @Sendable (String) -> Void, runDirectory: String? = nil) -> PluginHost {
        PluginHost(runDirectory: runDirectory, log: { level, message in log(level == .warning ? "[WARN] \(message)" : message) })
    }
}
