import DiffuGRPOAlgorithm
import RLRunSDK

// The algorithm is in Algorithm/ (its own target, so that tests link it without this entry
// symbol, which every plugin library defines).
@_cdecl("rlrun_plugin_entry") public func rlrunPluginEntry() -> UnsafeRawPointer { PluginLibrary.export(.algorithm(DiffuGRPO.self)) }
