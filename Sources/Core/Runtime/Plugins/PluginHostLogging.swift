import Engine
import RLRunSDK

extension PluginHost {
    /// A host whose plugins' messages go to `log` as rlrun's own lines (warnings as `[WARN]`),
    /// and whose sums over processes run over `group`.
    public static func forwarding(to log: @escaping @Sendable (String) -> Void, runDirectory: String? = nil,
                                  group: ProcessGroup? = nil) -> PluginHost {
        PluginHost(runDirectory: runDirectory, log: { level, message in log(level == .warning ? "[WARN] \(message)" : message) },
                   sum: { values in try group?.sum(values) ?? values })
    }
}
