/// A failure to report to the user: ArgumentParser prints "Error: <message>" and exits non-zero
/// (without the usage text that a `ValidationError` would add).
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
