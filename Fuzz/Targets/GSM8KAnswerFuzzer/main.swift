import Glibc
import LibFuzzerDriver
import GSM8KAnswerFuzzEntry

/// One input from libFuzzer. Inputs the plugin refuses are expected; a crash, trap or sanitizer report is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    try? GSM8KAnswerFuzzEntry.run(bytes)
    return 0
}

// SwiftPM gives the executable a main of its own, so libFuzzer's never runs: start its driver here.
var argumentCount = CommandLine.argc
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argumentCount, &arguments, fuzzOneInput))
