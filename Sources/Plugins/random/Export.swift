import MaskingStrategies
import RLRunSDK

// The strategy lives in Sources/Plugins/Shared/MaskingStrategies/RandomMasking.swift, next to the other
// masking strategies it shares its seeded generator and request checks with.
@_cdecl("rlrun_plugin_entry") public func rlrunPluginEntry() -> UnsafeRawPointer { PluginLibrary.export(.masking(RandomMasking.self)) }
