import RewardModelScoring
import RLRunSDK

@_cdecl("rlrun_plugin_entry") public func rlrunPluginEntry() -> UnsafeRawPointer { PluginLibrary.export(.reward(RewardModelReward.self)) }
