import RLRunSDK
import SafetyFilter

@_cdecl("rlrun_plugin_entry") public func rlrunPluginEntry() -> UnsafeRawPointer { PluginLibrary.export(.reward(SafetyReward.self)) }
