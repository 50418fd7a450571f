import Foundation
import RLRunABI
import RLRunSDK

/// A live instance of a loaded plugin, with the host services it was given. Destroyed (and
/// the services released) when the last reference goes.
public final class PluginInstance: @unchecked Sendable {
    public let descriptor: PluginDescriptor
    public let configuration: PluginConfiguration
    let handle: UnsafeMutableRawPointer
    private let host: UnsafeMutablePointer<rlrun_host>
    private let services: Unmanaged<HostServices>

    /// Checks `options` against the plugin's declaration (unknown names, wrong types) and
    /// creates the instance.
    init(descriptor: PluginDescriptor, options: [String: JSONValue], services: PluginHost) throws {
        do {
            configuration = try PluginConfiguration(pluginID: descriptor.id, options: descriptor.options, given: options)
        } catch let error as PluginError {
            throw PluginLoadError(file: descriptor.file.path, problem: "configuration refused: \(error.message)",
                                  fix: "`rlrun plugins inspect \(descriptor.file.path)` lists its options")
        }
        let box = Unmanaged.passRetained(HostServices(services))
        let host = UnsafeMutablePointer<rlrun_host>.allocate(capacity: 1)
        host.initialize(to: rlrun_host(
            abi_version: UInt32(RLRUN_PLUGIN_ABI_VERSION), size: UInt32(MemoryLayout<rlrun_host>.size),
            tensor: rlrun_engine(), context: box.toOpaque(), log: hostLog,
            run_directory: box.takeUnretainedValue().runDirectory,
            json_number: jsonNumber, json_bool: jsonBool, json_string: jsonString, sum_over_processes: hostSum))
        var error = rlrun_error()
        let created = configuration.jsonText.withCString { descriptor.pointer.pointee.create!(descriptor.pointer, $0, host, &error) }
        guard let created else {
            host.deallocate()
            box.release()
            throw PluginLoadError(file: descriptor.file.path, problem: "plugin '\(descriptor.id)' refused to start: \(error.text)",
                                  fix: "check its options (`rlrun plugins inspect \(descriptor.file.path)`)")
        }
        self.descriptor = descriptor
        self.handle = created
        self.host = host
        self.services = box
    }

    deinit {
        descriptor.pointer.pointee.destroy?(handle)
        host.deallocate()
        services.release()
    }

    /// Runs a C call and turns a failure into an error naming the plugin and the call.
    func call(_ name: String, _ body: (UnsafeMutablePointer<rlrun_error>) -> Int32) throws {
        var error = rlrun_error()
        let status = body(&error)
        if status != 0 {
            let message = error.text.isEmpty ? "failed with status \(status) and no message (the plugin should describe the failure in rlrun_error.message)" : error.text
            throw PluginCallError(plugin: descriptor.label, call: name, message: message)
        }
    }

    /// The plugin's checkpointable state; nil when it keeps none.
    public func saveState() throws -> [UInt8]? {
        guard let save = descriptor.pointer.pointee.save_state else { return nil }
        var bytes: UnsafePointer<UInt8>?
        var count = 0
        try call("save_state") { save(handle, &bytes, &count, $0) }
        return bytes.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    }

    public func loadState(_ state: [UInt8]) throws {
        guard let load = descriptor.pointer.pointee.load_state else {
            throw PluginCallError(plugin: descriptor.label, call: "load_state", message: "the plugin keeps no state, but the checkpoint has some for it")
        }
        try state.withUnsafeBufferPointer { buffer in try call("load_state") { load(handle, buffer.baseAddress, buffer.count, $0) } }
    }

    var calls: UnsafeRawPointer { descriptor.pointer.pointee.calls! }
}

/// A plugin call that failed or returned something unusable.
public struct PluginCallError: Error, CustomStringConvertible, Sendable {
    public let plugin: String
    public let call: String
    public let message: String

    public var description: String { "plugin \(plugin): \(call) failed: \(message)" }
}

/// The host side of `rlrun_host.context`: what a plugin's log calls reach.
final class HostServices {
    let services: PluginHost
    let runDirectory: UnsafeMutablePointer<CChar>?

    init(_ services: PluginHost) {
        self.services = services
        self.runDirectory = services.runDirectory.map { strdup($0) }
    }

    deinit { free(runDirectory) }
}

private let hostLog: @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?) -> Void = { context, level, message in
    guard let context, let message else { return }
    let services = Unmanaged<HostServices>.fromOpaque(context).takeUnretainedValue().services
    services.log(PluginHost.LogLevel(rawValue: level) ?? .info, String(cString: message))
}

private let hostSum: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<Double>?, Int32) -> Int32 = { context, values, count in
    guard let context, let values, count >= 0 else { return -1 }
    let services = Unmanaged<HostServices>.fromOpaque(context).takeUnretainedValue().services
    let buffer = UnsafeMutableBufferPointer(start: values, count: Int(count))
    guard let sums = try? services.sumOverProcesses(Array(buffer)), sums.count == buffer.count else { return -1 }
    for (i, sum) in sums.enumerated() { buffer[i] = sum }
    return 0
}

private func jsonField(_ json: UnsafePointer<CChar>?, _ key: UnsafePointer<CChar>?) -> JSONValue? {
    guard let json, let key else { return nil }
    return (try? JSONValue(parsing: String(cString: json)))?[String(cString: key)]
}

private let jsonNumber: @convention(c) (UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafeMutablePointer<Double>?) -> Int32 = {
    json, key, out in
    guard let value = jsonField(json, key)?.doubleValue else { return 0 }
    out?.pointee = value
    return 1
}

private let jsonBool: @convention(c) (UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafeMutablePointer<Int32>?) -> Int32 = {
    json, key, out in
    guard let value = jsonField(json, key)?.boolValue else { return 0 }
    out?.pointee = value ? 1 : 0
    return 1
}

private let jsonString: @convention(c) (UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafeMutablePointer<CChar>?, Int) -> Int32 = {
    json, key, out, capacity in
    guard let value = jsonField(json, key)?.stringValue, let out, capacity > 0 else { return 0 }
    let bytes = Array(value.utf8.prefix(capacity - 1))
    for (i, byte) in bytes.enumerated() { out[i] = CChar(bitPattern: byte) }
    out[bytes.count] = 0
    return 1
}
