import ArgumentParser
import Core
import Foundation

struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that the engine works here: libtorch, CUDA, and a small network that must learn."
    )

    @Option(help: "Training steps of the check network.")
    var steps = 300

    func run() throws {
        let report = try EngineCheck(steps: steps).run { step, loss in
            print(String(format: "[CHECK] step %3d  loss %.4f", step, loss))
        }
        print("libtorch \(report.torchVersion), \(report.threads) CPU threads")
        print("CUDA: \(report.cuda)")
        print("CPU bfloat16: " + (Engine.cpuHasNativeBFloat16.map { $0 ? "native (avx512_bf16 or amx_bf16)" : "no native support: compute in float32" } ?? "unknown"))
        print(String(format: "loss %.4f -> %.4f, accuracy %.1f%%, %.2f s", report.lossBefore, report.lossAfter,
                     report.accuracy * 100, report.seconds))
        guard report.lossAfter < report.lossBefore * 0.5, report.accuracy > 0.9 else {
            throw ValidationError("the check network did not learn: the engine is not working correctly here")
        }
        print("engine OK")
    }
}
