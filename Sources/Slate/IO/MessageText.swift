/// Text read from a file, quoted inside an error message.
///
/// A hostile file can put a line break or a terminal escape into a tensor name, a metadata value
/// or a table field; quoted as is, the message would span lines (or rewrite the terminal).
/// `oneLine` writes every control character and line or paragraph separator as an escape
/// (`\n`, `\r`, `\u{1B}`) and cuts the text after `limit` characters with "…".
///
///     oneLine("tensor 'a\nb'")          // "tensor 'a\\nb'"
public func oneLine<S: StringProtocol>(_ text: S, limit: Int = Int.max) -> String {
    var out = ""
    var count = 0
    for scalar in text.unicodeScalars {
        if count == limit { out += "…"; break }
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: out += scalar.escaped(asASCII: true)
        default: out.unicodeScalars.append(scalar)
        }
        count += 1
    }
    return out
}
