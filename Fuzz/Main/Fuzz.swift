import Glibc
import LibFuzzerDriver

/// What this fuzzer does with one input; set once by `fuzz(_:)` before libFuzzer starts.
nonisolated(unsafe) private var fuzzedEntry: (([UInt8]) throws -> Void)?

/// One input from libFuzzer. A thrown error is a refused input, which is expected; a crash,
/// trap or sanitizer report is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    try? fuzzedEntry?(bytes)
    return 0
}

/// Fuzzes `entry` with the libFuzzer flags of the command line. SwiftPM gives each executable
/// a main of its own, so libFuzzer's never runs: this starts its driver instead.
public func fuzz(_ entry: @escaping ([UInt8]) throws -> Void) -> Never {
    fuzzedEntry = entry
    var argumentCount = CommandLine.argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argumentCount, &arguments, fuzzOneInput))
}
