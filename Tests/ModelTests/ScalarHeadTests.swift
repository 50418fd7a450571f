import Foundation
import Testing
@testable import Engine
@testable import Models

@Suite struct ScalarHeadTests {
    @Test func valuesAreTheLinearMapOfEachPosition() throws {
        let head = try ScalarHead(hidden: 3, generator: Generator(seed: 0))
        try withNoGrad {
            try head.weight.copyInPlace(from: Tensor([Float(1), 2, 3], shape: [1, 3]))
            try head.bias.copyInPlace(from: Tensor([Float(0.5)]))
        }
        let hidden = try Tensor([Float(1), 0, 0, 0, 1, 1], shape: [1, 2, 3])
        #expect(try head(hidden).toArray(Float.self) == [1.5, 5.5])
        #expect(try head.atLastToken(hidden, lastIndex: Tensor([Int64(1)])).toArray(Float.self) == [5.5])
    }

    @Test func savedHeadReloads() throws {
        let head = try ScalarHead(hidden: 4, generator: Generator(seed: 1))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("head-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try head.save(to: url)
        let loaded = try ScalarHead(contentsOf: url)
        #expect(try loaded.weight.toArray(Float.self) == head.weight.toArray(Float.self))
        #expect(loaded.weight.requiresGrad)
    }
}
