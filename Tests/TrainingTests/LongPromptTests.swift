import Foundation
import Testing
@testable import Models
import RLRunSDK
@testable import Training

/// A dataset whose third item is longer than the test policy's 64 positions.
final class OneLongPrompt: Dataset {
    let splits = ["train", "test"]
    func count(split: String) throws -> Int { 4 }
    func item(split: String, index: Int) throws -> DatasetItem {
        DatasetItem(prompt: index == 2 ? String(repeating: "very long question ", count: 5) : "Q\(index)", reference: "7")
    }
}

@Suite struct LongPromptTests {
    @Test func aPromptLongerThanTheContextNamesItsItem() throws {
        var settings = TrainingConfiguration()
        settings = try settings.applying(["prompts_per_step": 4, "max_new_tokens": 4], source: "test")
        let trainer = try Trainer(policy: TrainerTests().policy(seed: 1), algorithm: GroupBaseline(),
                                  rewards: RewardComposer([.init(name: "seven", weight: 1, reward: SevenReward())]),
                                  dataset: OneLongPrompt(), configuration: settings)
        let error = #expect(throws: ConfigurationError.self) { try trainer.trainStep() }
        let message = error?.description ?? ""
        #expect(message.contains("item 2 of split 'train'"), "\(message)")
        #expect(message.contains("exceeds the model's 64 positions") && message.contains("max_new_tokens 4"), "\(message)")
    }
}
