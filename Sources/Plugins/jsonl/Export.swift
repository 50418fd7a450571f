import JSONLReader
import RLRunSDK

@_cdecl("rlrun_plugin_entry") public func rlrunPluginEntry() -> UnsafeRawPointer { PluginLibrary.export(.dataset(JSONLDataset.self)) }
