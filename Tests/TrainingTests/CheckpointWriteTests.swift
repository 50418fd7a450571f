import Foundation
import Testing
@testable import Training

@Suite struct CheckpointWriteTests {
    @Test func aFailedWriteLeavesNeitherAPartialNorAHalfCheckpoint() throws {
        let trainer = try TrainerTests().trainer(steps: 2)
        try trainer.trainStep()
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-fail-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: parent) }
        let good = parent.appendingPathComponent("step-1")
        try trainer.saveCheckpoint(to: good)
        // A plugin state under a folder that does not exist: the write fails midway, as on a full disk.
        #expect(throws: (any Error).self) {
            try trainer.saveCheckpoint(to: parent.appendingPathComponent("step-2"), extra: ["no/such/folder.bin": Data([1])])
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: parent.path).sorted()
        #expect(left == ["step-1"], "left behind: \(left)")
        try Trainer.verifyCheckpoint(good)
    }
}
