/// How hard a generated problem is: how many operations, and how large its numbers.
enum Difficulty: String, CaseIterable {
    case easy, medium, hard

    var operations: Int {
        switch self {
        case .easy: 1
        case .medium: 2
        case .hard: 3
        }
    }

    var smallNumbers: ClosedRange<Int> {
        switch self {
        case .easy: 2...10
        case .medium: 2...15
        case .hard: 2...20
        }
    }

    var largeNumbers: ClosedRange<Int> {
        switch self {
        case .easy: 10...50
        case .medium: 20...100
        case .hard: 50...200
        }
    }
}
