/// What the host offers a plugin instance: a log and the run's directory.
public struct PluginHost: Sendable {
    public enum LogLevel: Int32, Sendable { case debug = 0, info = 1, warning = 2 }

    public let runDirectory: String?
    private let sink: @Sendable (LogLevel, String) -> Void
    private let summing: @Sendable ([Double]) throws -> [Double]

    /// - sum: sums values over the processes of a data-parallel run (default: one process).
    public init(runDirectory: String? = nil, log: @escaping @Sendable (LogLevel, String) -> Void = { _, _ in },
                sum: @escaping @Sendable ([Double]) throws -> [Double] = { $0 }) {
        self.runDirectory = runDirectory
        self.sink = log
        self.summing = sum
    }

    public func log(_ level: LogLevel = .info, _ message: String) { sink(level, message) }

    /// Each value summed over every process of a data-parallel run (the values themselves in a
    /// single process): for statistics of the whole batch. Every process must call it alike.
    public func sumOverProcesses(_ values: [Double]) throws -> [Double] { try summing(values) }
}

/// The static side of a plugin: its declaration and how to make an instance. A plugin type
/// conforms to this and to the protocol of its kind (`RewardFunction`, `Dataset`, ...).
public protocol PluginDefinition: AnyObject {
    static var info: PluginInfo { get }
    init(configuration: PluginConfiguration, host: PluginHost) throws
}

/// A plugin whose state must survive a checkpoint (e.g. a curiosity bonus's predictor).
public protocol StatefulPlugin: AnyObject {
    func saveState() throws -> [UInt8]
    func loadState(_ bytes: [UInt8]) throws
}
