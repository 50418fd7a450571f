import PPOAlgorithm
import RLRunSDK

@_cdecl("rlrun_plugin_entry") public func rlrunPluginEntry() -> UnsafeRawPointer { PluginLibrary.export(.algorithm(PPO.self)) }
