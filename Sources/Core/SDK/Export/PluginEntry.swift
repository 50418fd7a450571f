import RLRunABI

/// One plugin type of a library, with what the exporter needs to describe and create it.
public struct PluginEntry: @unchecked Sendable {
    let kind: PluginKind
    let info: PluginInfo
    let flags: UInt32
    let stateful: Bool
    let make: (PluginConfiguration, PluginHost) throws -> AnyObject

    private init<T: PluginDefinition>(_ type: T.Type, kind: PluginKind, flags: UInt32 = 0) {
        self.kind = kind
        self.info = T.info
        self.flags = flags | (T.info.threadSafe ? UInt32(RLRUN_FLAG_THREAD_SAFE) : 0)
        self.stateful = T.self is any StatefulPlugin.Type
        self.make = { try T(configuration: $0, host: $1) }
    }

    public static func reward<T: PluginDefinition & RewardFunction>(_ type: T.Type) -> PluginEntry {
        PluginEntry(type, kind: .reward)
    }

    public static func dataset<T: PluginDefinition & Dataset>(_ type: T.Type) -> PluginEntry {
        PluginEntry(type, kind: .dataset)
    }

    public static func masking<T: PluginDefinition & MaskingStrategy>(_ type: T.Type) -> PluginEntry {
        let flags = (T.needsConfidence ? UInt32(RLRUN_FLAG_NEEDS_CONFIDENCE) : 0)
            | (T.needsAttention ? UInt32(RLRUN_FLAG_NEEDS_ATTENTION) : 0)
        return PluginEntry(type, kind: .masking, flags: flags)
    }

    public static func algorithm<T: PluginDefinition & Algorithm>(_ type: T.Type) -> PluginEntry {
        PluginEntry(type, kind: .algorithm)
    }
}
