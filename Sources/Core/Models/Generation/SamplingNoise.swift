import Engine

/// Where a batch's sampling draws its randomness: at every token step one uniform number per
/// row of the whole batch, of which rows `offset ..< offset + rows` are this batch's. A row's
/// sample therefore never depends on which other rows share its batch — or, in a
/// data-parallel run, its process — so N processes sample exactly what one process would.
/// Masked-diffusion sampling, which draws a whole block of noise per row and step, gets a
/// generator per row instead, seeded by one draw per row of the whole batch.
public struct SamplingNoise {
    public let generator: Generator
    public let offset: Int
    public let totalRows: Int

    public init(generator: Generator, offset: Int = 0, totalRows: Int) {
        self.generator = generator
        self.offset = offset
        self.totalRows = totalRows
    }

    /// One step's uniforms in (0, 1] for the given rows of this batch, [rows.count] float64.
    func uniforms(rows: [Int], device: Device) throws -> Tensor {
        let all = try 1 - Tensor.rand([totalRows], dtype: .float64, device: device, generator: generator)
        return try all.indexSelect(dim: 0, index: Tensor(rows.map { Int64(offset + $0) }, device: device))
    }

    /// One generator for each of this batch's `rows`, each seeded by the whole batch's draw for its row.
    func rowGenerators(rows: Int, device: Device) throws -> [Generator] {
        let seeds = try Tensor.randint(0, 1 << 62, [totalRows], device: device, generator: generator).toArray(Int64.self)
        return try (offset..<(offset + rows)).map { try Generator(seed: UInt64(seeds[$0]), device: device) }
    }
}
