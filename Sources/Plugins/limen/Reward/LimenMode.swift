/// LIMEN's verdict on an intention, from its tension.
enum LimenMode: String {
    case approved = "APPROVED"
    case alternative = "ALTERNATIVE"
    case silence = "SILENCE"

    /// Tension below `alternativeFrom` approves, below `silenceFrom` asks for an alternative,
    /// anything higher silences.
    init(tension: Double, alternativeFrom: Double, silenceFrom: Double) {
        self = tension < alternativeFrom ? .approved : tension < silenceFrom ? .alternative : .silence
    }

    /// APPROVED keeps the base reward, ALTERNATIVE halves it, SILENCE gives −1.
    func shape(_ base: Double) -> Double {
        switch self {
        case .approved: base
        case .alternative: base / 2
        case .silence: -1
        }
    }
}
