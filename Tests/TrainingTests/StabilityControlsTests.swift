import Testing
@testable import Training

@Suite struct StabilityControlsTests {
    @Test func klOverTheTargetLowersTheLearningRate() {
        var settings = StabilitySettings()
        settings.klTarget = 0.1
        var controller = StabilityController(settings)
        #expect(controller.observe(["kl": 0.05]).isEmpty)
        #expect(controller.learningRateScale == 1)
        #expect(controller.observe(["kl": 0.2]).count == 1)
        #expect(controller.learningRateScale == 0.5)
        _ = controller.observe(["kl": 0.3])
        #expect(controller.learningRateScale == 0.25)
    }

    @Test func entropyUnderTheFloorGrowsTheBonusUpToItsCapAndLetsItFade() {
        var settings = StabilitySettings()
        settings.entropyFloor = 1.0
        settings.entropyBonusStep = 0.01
        settings.entropyBonusMax = 0.025
        var controller = StabilityController(settings)
        _ = controller.observe(["entropy": 0.5])
        #expect(controller.entropyBonus == 0.01)
        _ = controller.observe(["entropy": 0.5])
        _ = controller.observe(["entropy": 0.5])
        #expect(controller.entropyBonus == 0.025)
        _ = controller.observe(["entropy": 1.5])
        #expect(abs(controller.entropyBonus - 0.015) < 1e-12)
        _ = controller.observe(["entropy": 1.5])
        _ = controller.observe(["entropy": 1.5])
        #expect(controller.entropyBonus == 0)
    }

    @Test func collapseNeedsPatienceAndIsReportedOnce() {
        var settings = StabilitySettings()
        settings.stopOnCollapse = true
        settings.collapsePatience = 3
        var controller = StabilityController(settings)
        _ = controller.observe(["entropy": 0.01, "reward_std": 0.3])
        _ = controller.observe(["entropy": 0.01, "reward_std": 0.3])
        _ = controller.observe(["entropy": 0.5, "reward_std": 0.3])
        #expect(!controller.collapsed, "the streak was broken")
        _ = controller.observe(["entropy": 0.5, "reward_std": 0])
        _ = controller.observe(["entropy": 0.01, "reward_std": 0.2])
        #expect(controller.observe(["entropy": 0.01, "reward_std": 0.2]).count == 1)
        #expect(controller.collapsed)
        #expect(controller.observe(["entropy": 0.01, "reward_std": 0.2]).isEmpty)
    }

    @Test func settingsComeFromConfigurationKeys() throws {
        let c = try TrainingConfiguration().applying(["kl_target": 0.2, "entropy_floor": 0.3, "stop_on_collapse": true,
                                                      "collapse_patience": 4], source: "test")
        #expect(c.stability.klTarget == 0.2)
        #expect(c.stability.entropyFloor == 0.3)
        #expect(c.stability.stopOnCollapse)
        #expect(c.stability.collapsePatience == 4)
        #expect(throws: ConfigurationError.self) { try TrainingConfiguration().applying(["kl_lr_factor": 2], source: "test") }
    }
}
