/// `word` after its indefinite article, for messages that name a kind or a status: "an enumeration",
/// "an open ticket", "a text". By the first letter (a vowel takes "an"), which fits the identifiers used.
func withArticle(_ word: String) -> String {
    guard let first = word.lowercased().first else { return word }
    return ("aeiou".contains(first) ? "an " : "a ") + word
}
