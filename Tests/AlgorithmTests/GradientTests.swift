import DAPOAlgorithm
import DrGRPOAlgorithm
import GRPOAlgorithm
import PPOAlgorithm
import RLRunSDK
import Testing

@Suite struct GradientTests {
    @Test func grpoWithKLAndEntropy() throws {
        let batch = try RandomLossBatch()
        let grpo = try make(GRPO.self, ["kl_weight": 0.04, "entropy_coefficient": 0.01])
        try expectGradientsMatchFiniteDifferences([batch.logp, batch.entropy]) { x in
            try grpo.loss(batch.inputs(logp: x[0], entropy: x[1])).loss
        }
    }

    @Test(arguments: ["k1", "k2"])
    func grpoWithOtherKLEstimators(estimator: String) throws {
        let batch = try RandomLossBatch()
        let grpo = try make(GRPO.self, ["kl_weight": 0.1, "kl_estimator": .string(estimator), "delta": 1.5])
        try expectGradientsMatchFiniteDifferences([batch.logp]) { x in try grpo.loss(batch.inputs(logp: x[0])).loss }
    }

    @Test func drgrpo() throws {
        let batch = try RandomLossBatch()
        let drgrpo = try make(DrGRPO.self)
        try expectGradientsMatchFiniteDifferences([batch.logp]) { x in try drgrpo.loss(batch.inputs(logp: x[0])).loss }
    }

    @Test func dapoWithTheDualClipActive() throws {
        let batch = try RandomLossBatch()
        let dapo = try make(DAPO.self, ["clip_ratio_c": 1.3])
        let metrics = try dapo.loss(batch.inputs()).metrics
        #expect(try metric(metrics, "dual_clip_fraction") > 0)
        try expectGradientsMatchFiniteDifferences([batch.logp]) { x in try dapo.loss(batch.inputs(logp: x[0])).loss }
    }

    @Test func ppoPolicyAndValue() throws {
        let batch = try RandomLossBatch()
        let ppo = try make(PPO.self, ["entropy_coefficient": 0.01])
        #expect(try metric(ppo.loss(batch.inputs()).metrics, "value_clip_fraction") > 0)
        try expectGradientsMatchFiniteDifferences([batch.logp, batch.values, batch.entropy]) { x in
            try ppo.loss(batch.inputs(logp: x[0], entropy: x[2], values: x[1])).loss
        }
    }
}
