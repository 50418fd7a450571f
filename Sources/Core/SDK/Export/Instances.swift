import Foundation
import RLRunABI

/// A plugin object behind the `void *instance` the host holds, plus the strings and bytes it
/// returned on its last call (kept alive until the next call, as the ABI promises).
final class InstanceBox {
    let object: AnyObject
    private var strings: [UnsafeMutablePointer<CChar>] = []
    var stateBytes: [UInt8] = []

    init(_ object: AnyObject) { self.object = object }

    deinit { releaseOutputs() }

    /// Frees what the previous call returned; every call starts with this.
    func releaseOutputs() {
        strings.forEach { free($0) }
        strings.removeAll()
    }

    func keep(_ text: String) -> UnsafePointer<CChar> {
        let copy = strdup(text)!
        strings.append(copy)
        return UnsafePointer(copy)
    }

    func keep(_ text: String?) -> UnsafePointer<CChar>? { text.map { keep($0) } }

    static func from(_ instance: UnsafeMutableRawPointer?) -> InstanceBox {
        Unmanaged<InstanceBox>.fromOpaque(instance!).takeUnretainedValue()
    }
}

/// Runs `body`, turning a thrown error into the C status and error struct.
func guarded(_ error: UnsafeMutablePointer<rlrun_error>?, _ body: () throws -> Void) -> Int32 {
    do {
        try body()
        return 0
    } catch let failure as PluginError {
        error?.pointee.set(code: failure.code.rawValue, message: failure.message)
        return failure.code.rawValue
    } catch let failure {
        error?.pointee.set(code: PluginError.Code.failed.rawValue, message: "\(failure)")
        return PluginError.Code.failed.rawValue
    }
}

/// The host pointer, promised valid for the instance's lifetime.
private struct HostReference: @unchecked Sendable {
    let host: UnsafePointer<rlrun_host>

    func log(_ level: PluginHost.LogLevel, _ message: String) {
        guard let log = host.pointee.log else { return }
        message.withCString { log(host.pointee.context, level.rawValue, $0) }
    }

    /// The host's sum over processes; a host too old to offer it runs one process.
    func sum(_ values: [Double]) throws -> [Double] {
        let offset = MemoryLayout<rlrun_host>.offset(of: \rlrun_host.sum_over_processes)!
        guard Int(host.pointee.size) >= offset + MemoryLayout<UnsafeRawPointer>.size,
              let sum = host.pointee.sum_over_processes else { return values }
        var values = values
        let status = values.withUnsafeMutableBufferPointer { sum(host.pointee.context, $0.baseAddress, Int32($0.count)) }
        guard status == 0 else { throw PluginError(.failed, "the host could not sum values over the processes of the run") }
        return values
    }
}

let createInstance: @convention(c) (UnsafePointer<rlrun_plugin>?, UnsafePointer<CChar>?, UnsafePointer<rlrun_host>?,
                                     UnsafeMutablePointer<rlrun_error>?) -> UnsafeMutableRawPointer? = {
    plugin, config, host, error in
    var instance: UnsafeMutableRawPointer?
    _ = guarded(error) {
        guard let plugin, let host, let entry = registry.entry(for: UnsafeRawPointer(plugin)) else {
            throw PluginError(.input, "create called with a descriptor or host this library did not make")
        }
        guard host.pointee.abi_version == UInt32(RLRUN_PLUGIN_ABI_VERSION) else {
            throw PluginError(.unsupported, "host speaks plugin ABI \(host.pointee.abi_version), plugin '\(entry.info.id)' was built for \(RLRUN_PLUGIN_ABI_VERSION): rebuild the plugin against this rlrun")
        }
        if let tensorAPI = host.pointee.tensor { rlrun_engine_install(tensorAPI) }
        let configuration = try PluginConfiguration(pluginID: entry.info.id, options: entry.info.options,
                                                    json: config.map { String(cString: $0) } ?? "{}")
        let reference = HostReference(host: host)
        let view = PluginHost(runDirectory: host.pointee.run_directory.map { String(cString: $0) },
                              log: { reference.log($0, $1) }, sum: { try reference.sum($0) })
        let object = try entry.make(configuration, view)
        instance = Unmanaged.passRetained(InstanceBox(object)).toOpaque()
    }
    return instance
}

let destroyInstance: @convention(c) (UnsafeMutableRawPointer?) -> Void = { instance in
    guard let instance else { return }
    Unmanaged<InstanceBox>.fromOpaque(instance).release()
}

let saveInstanceState: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
                                       UnsafeMutablePointer<Int>?, UnsafeMutablePointer<rlrun_error>?) -> Int32 = {
    instance, bytes, count, error in
    guarded(error) {
        let box = InstanceBox.from(instance)
        box.stateBytes = try (box.object as! any StatefulPlugin).saveState()
        box.stateBytes.withUnsafeBufferPointer { bytes?.pointee = $0.baseAddress }
        count?.pointee = box.stateBytes.count
    }
}

let loadInstanceState: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<UInt8>?, Int,
                                       UnsafeMutablePointer<rlrun_error>?) -> Int32 = {
    instance, bytes, count, error in
    guarded(error) {
        let box = InstanceBox.from(instance)
        let copy = bytes.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
        try (box.object as! any StatefulPlugin).loadState(copy)
    }
}
