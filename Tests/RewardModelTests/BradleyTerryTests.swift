import Foundation
import Testing
@testable import Core

@Suite struct BradleyTerryTests {
    @Test func lossMatchesHandValues() throws {
        // −mean log σ(d): d = 1 → log(1 + e^−1) = 0.3132617, d = −2 → log(1 + e^2) = 2.1269280.
        let chosen = try Tensor([Float(2), 0]), rejected = try Tensor([Float(1), 2])
        let loss = try BradleyTerry.loss(chosen: chosen, rejected: rejected).item()
        #expect(abs(loss - (0.3132617 + 2.1269280) / 2) < 1e-5)
        // A margin of 1 on the first pair: d = 0 → log 2.
        let margins = try Tensor([Float(1), 0])
        let withMargin = try BradleyTerry.loss(chosen: chosen, rejected: rejected, margins: margins).item()
        #expect(abs(withMargin - (log(2.0) + 2.1269280) / 2) < 1e-5)
        // Centring adds c · mean((r_c + r_r)²) = 0.01 · (9 + 4) / 2.
        let centred = try BradleyTerry.loss(chosen: chosen, rejected: rejected, centerCoefficient: 0.01).item()
        #expect(abs(centred - (loss + 0.065)) < 1e-5)
        #expect(abs(BradleyTerry.loss(chosen: [2, 0], rejected: [1, 2]) - loss) < 1e-6)
    }

    @Test func logSigmoidStaysFiniteFarOut() throws {
        let values = try BradleyTerry.logSigmoid(Tensor([Float(-200), 0, 200])).toArray(Float.self)
        #expect(values[0] == -200 && abs(Double(values[1]) + log(2.0)) < 1e-6 && values[2] == 0)
    }

    @Test func accuracyCountsStrictWins() {
        #expect(BradleyTerry.accuracy(chosen: [1, 2, 3, 4], rejected: [0, 2, 4, 1]) == 0.5)
    }

    @Test func gradientPushesChosenUpAndRejectedDown() throws {
        let chosen = try Tensor([Float(0.5)]).requiringGrad(), rejected = try Tensor([Float(0.5)]).requiringGrad()
        try BradleyTerry.loss(chosen: chosen, rejected: rejected).backward()
        // d/dr_c of −log σ(r_c − r_r) at 0 is −σ(0) = −0.5.
        let up = try #require(chosen.grad).toArray(Float.self), down = try #require(rejected.grad).toArray(Float.self)
        #expect(abs(up[0] + 0.5) < 1e-6 && abs(down[0] - 0.5) < 1e-6, "\(up) \(down)")
    }

    @Test func normalizationCentresOnTheTrainingMean() {
        let statistics = ScoreStatistics(mean: 1, std: 2)
        #expect(ScoreNormalization.none.apply(3, statistics: statistics) == 3)
        #expect(ScoreNormalization.center.apply(3, statistics: statistics) == 2)
        #expect(ScoreNormalization.standardize.apply(3, statistics: statistics) == 1)
        #expect(abs(ScoreNormalization.sigmoid.apply(1, statistics: statistics) - 0.5) < 1e-12)
        #expect(ScoreStatistics(of: [1, 2, 3]) == ScoreStatistics(mean: 2, std: 1))
    }
}
