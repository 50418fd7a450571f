import GRPOAlgorithm
import RLRunSDK

@_cdecl("rlrun_plugin_entry") public func rlrunPluginEntry() -> UnsafeRawPointer { PluginLibrary.export(.algorithm(GRPO.self)) }
