import GSM8KTask
import RLRunSDK

@_cdecl("rlrun_plugin_entry") public func rlrunPluginEntry() -> UnsafeRawPointer { PluginLibrary.export(.reward(GSM8KReward.self), .dataset(GSM8KDataset.self)) }
