/// How a masked-diffusion model unmasks its completion: LLaDA's semi-autoregressive block
/// decoding (ALGORITHMS.md §6). The defaults are d1's training values: 256 tokens in 8 blocks
/// of 32, 128 steps, so 16 steps per block and 2 tokens per step.
public struct DiffusionSamplingOptions: Sendable, Equatable, Codable {
    /// gen_len: mask tokens appended to every prompt, all of which get decoded.
    public var generationLength: Int
    /// block_len: blocks are decoded left to right, each fully before the next starts.
    public var blockLength: Int
    /// Forward passes in all, the same number for every block.
    public var steps: Int
    /// Gumbel-max temperature; 0 = argmax.
    public var temperature: Double
    /// Classifier-free guidance scale s; 0 = off (no unconditional pass).
    public var guidanceScale: Double
    public var remasking: Remasking
    /// Token ids that end a completion (kept in it, like `SamplingOptions`). Decoding still
    /// fills the whole region: the cut is made afterwards.
    public var stopTokenIDs: Set<Int>

    /// Which masked positions of the block a step commits: those it is most confident of, or
    /// random ones.
    public enum Remasking: String, Sendable, Codable {
        case lowConfidence = "low_confidence"
        case random
    }

    public init(generationLength: Int = 256, blockLength: Int = 32, steps: Int = 128, temperature: Double = 0.9,
                guidanceScale: Double = 0, remasking: Remasking = .lowConfidence, stopTokenIDs: Set<Int> = []) {
        self.generationLength = generationLength
        self.blockLength = blockLength
        self.steps = steps
        self.temperature = temperature
        self.guidanceScale = guidanceScale
        self.remasking = remasking
        self.stopTokenIDs = stopTokenIDs
    }

    public var blocks: Int { generationLength / blockLength }
    public var stepsPerBlock: Int { steps / blocks }

    /// Throws when the lengths do not divide as block decoding needs.
    public func validate() throws {
        guard generationLength > 0, blockLength > 0, steps > 0 else {
            throw ModelError("diffusion sampling needs a positive generation length (\(generationLength)), block length (\(blockLength)) and number of steps (\(steps))")
        }
        guard generationLength % blockLength == 0 else {
            throw ModelError("generation length \(generationLength) is not a multiple of the block length \(blockLength): the region is decoded in whole blocks")
        }
        guard steps % blocks == 0 else {
            throw ModelError("steps (\(steps)) must be divisible by the number of blocks (\(blocks) = \(generationLength) / \(blockLength)): every block gets the same number of steps")
        }
        guard temperature >= 0, guidanceScale >= 0 else {
            throw ModelError("temperature (\(temperature)) and guidance scale (\(guidanceScale)) must not be negative")
        }
    }

    /// How many of `masked` tokens each of `steps` steps unmasks: masked div steps each, and
    /// one more on the first masked mod steps steps (LLaDA's `get_num_transfer_tokens`).
    public static func tokensPerStep(masked: Int, steps: Int) -> [Int] {
        (0..<steps).map { masked / steps + ($0 < masked % steps ? 1 : 0) }
    }
}
