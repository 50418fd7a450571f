import Foundation
import MaskingStrategies
import RLRunSDK
import Testing

@Suite("progressive masking")
struct ProgressiveMaskingTests {
    @Test("linear schedule: 0.10, 0.1375, 0.175, 0.25 at progress 0, 0.25, 0.5, 1")
    func linear() throws {
        let plugin = try makePlugin(ProgressiveMasking.self)
        #expect(plugin.start == 0.10 && plugin.end == 0.25 && plugin.schedule == .linear)
        for (progress, rate) in [(0.0, 0.10), (0.25, 0.1375), (0.5, 0.175), (1.0, 0.25)] {
            #expect(abs(plugin.rate(at: progress) - rate) < 1e-12, "rate at \(progress)")
        }
    }

    @Test("cosine schedule: same ends and midpoint, slower start")
    func cosine() throws {
        let plugin = try makePlugin(ProgressiveMasking.self, ["schedule": "cosine"])
        let quarter = 0.10 + 0.15 * (1 - cos(Double.pi / 4)) / 2   // 0.121967...
        for (progress, rate) in [(0.0, 0.10), (0.25, quarter), (0.5, 0.175), (1.0, 0.25)] {
            #expect(abs(plugin.rate(at: progress) - rate) < 1e-12, "rate at \(progress)")
        }
        #expect(plugin.rate(at: 0.25) < 0.1375)
    }

    @Test("progress outside [0, 1] is held at the ends; a decreasing curriculum works")
    func clamping() throws {
        let plugin = try makePlugin(ProgressiveMasking.self, ["start": 0.3, "end": 0.1])
        #expect(plugin.rate(at: -1) == 0.3)
        #expect(plugin.rate(at: 2) == 0.1)
        #expect(abs(plugin.rate(at: 0.5) - 0.2) < 1e-12)
        #expect(try plugin.choose(maskingRequest(progress: 3)).rate == 0.1)
    }

    @Test("choose masks at the scheduled rate, reports it, and only eligible positions", arguments: [0.0, 0.5, 1.0])
    func choose(progress: Double) throws {
        for schedule in ["linear", "cosine"] {
            let plugin = try makePlugin(ProgressiveMasking.self, ["schedule": .string(schedule)])
            let request = maskingRequest(progress: progress)
            let choice = try plugin.choose(request)
            #expect(choice.rate == plugin.rate(at: progress))
            expectRateNear(choice, request, choice.rate)
            expectOnlyEligible(choice, request)
            #expect(try plugin.choose(request) == choice)
        }
    }

    @Test("an unknown schedule and rates outside [0, 1] are refused")
    func badOptions() {
        #expect(throws: PluginError.self) { try makePlugin(ProgressiveMasking.self, ["schedule": "step"]) }
        #expect(throws: PluginError.self) { try makePlugin(ProgressiveMasking.self, ["end": 1.2]) }
        #expect(throws: PluginError.self) { try makePlugin(ProgressiveMasking.self, ["progress": 0.5]) }
    }
}
