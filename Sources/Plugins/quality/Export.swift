import RLRunSDK
import TextOverlap

@_cdecl("rlrun_plugin_entry") public func rlrunPluginEntry() -> UnsafeRawPointer { PluginLibrary.export(.reward(QualityReward.self)) }
