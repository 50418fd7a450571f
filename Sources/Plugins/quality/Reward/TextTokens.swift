/// Splits text for n-gram overlap: runs of letters and digits are words, every other
/// non-space character is a token of its own ("$18." → "$", "18", ".").
enum TextTokens {
    static func split(_ text: String, lowercase: Bool) -> [String] {
        var tokens: [String] = []
        var word = ""
        for character in lowercase ? text.lowercased() : text {
            if character.isLetter || character.isNumber {
                word.append(character)
                continue
            }
            if !word.isEmpty { tokens.append(word); word = "" }
            if !character.isWhitespace { tokens.append(String(character)) }
        }
        if !word.isEmpty { tokens.append(word) }
        return tokens
    }
}
