import SeededRandom

/// The random choices of one problem: numbers from the difficulty's ranges (remembered, since
/// the numbers and the template are what makes two problems the same) and the names and
/// objects that dress them.
struct ProblemDraw {
    private var generator: SplitMix64
    let difficulty: Difficulty
    private(set) var numbers: [Int] = []

    init(generator: SplitMix64, difficulty: Difficulty) {
        self.generator = generator
        self.difficulty = difficulty
    }

    /// A count or factor: how many packs, people, hours.
    mutating func small() -> Int { number(in: difficulty.smallNumbers) }

    /// A quantity: how many marbles, dollars, pages.
    mutating func large() -> Int { number(in: difficulty.largeNumbers) }

    mutating func number(in range: ClosedRange<Int>) -> Int {
        let value = generator.int(in: range)
        numbers.append(value)
        return value
    }

    mutating func name() -> String { generator.element(of: Self.names) }

    /// Two different names.
    mutating func names() -> (String, String) {
        let first = name()
        var second = name()
        while second == first { second = name() }
        return (first, second)
    }

    mutating func object() -> String { generator.element(of: Self.objects) }

    private static let names = ["Ava", "Ben", "Carla", "Dev", "Elena", "Farid", "Grace", "Hiro", "Isla", "Jamal",
                                "Kira", "Liam", "Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tariq"]
    private static let objects = ["marbles", "stickers", "apples", "stamps", "shells", "pencils", "cards", "beads"]
}
