import Foundation
import Slate

/// Errors a user can cause: bad text, bad checkpoints, bad settings. Each message says what to do.
public enum GPTError: Error, CustomStringConvertible, Equatable {
    /// A character that the vocabulary does not hold, with its position in the input.
    case unknownCharacter(Unicode.Scalar, position: Int)
    /// The training text is empty or too short for the block size.
    case textTooShort(String)
    /// A checkpoint file is missing, corrupt or inconsistent.
    case badCheckpoint(String)
    /// A configuration value is out of range.
    case badConfig(String)
    /// A file could not be read.
    case missingFile(String)
    /// A text file is not usable text (not UTF-8).
    case badText(String)

    public var description: String { oneLine(text) }

    private var text: String {
        switch self {
        case let .unknownCharacter(ch, position):
            let code = "U+" + String(ch.value, radix: 16, uppercase: true)
            let shown = ch.value >= 32 && ch.value != 127 ? "'\(ch)' (\(code))" : code
            return "character \(shown) at position \(position) is not in the model's vocabulary; remove it or train on text that contains it"
        case let .textTooShort(m), let .badCheckpoint(m), let .badConfig(m), let .missingFile(m), let .badText(m):
            return m
        }
    }
}

/// Character-level tokenizer, as nanoGPT's `shakespeare_char/prepare.py`: the vocabulary is the
/// sorted set of characters of the text, and a token id is a character's index in it.
/// A character is a Unicode scalar (a Python `str` element), so "\r\n" is two tokens as in Python.
public struct CharTokenizer: Equatable, Sendable {
    /// The characters in id order.
    public let vocabulary: [Unicode.Scalar]
    private let ids: [Unicode.Scalar: Int]

    /// The vocabulary of `text`: its distinct characters, sorted.
    public init(text: String) {
        self.init(vocabulary: Array(Set(text.unicodeScalars)).sorted { $0.value < $1.value })
    }

    /// Largest vocabulary: every Unicode scalar value (U+0000...U+10FFFF) once.
    public static let maxVocabularySize = 0x110000

    /// A tokenizer over a vocabulary read from untrusted input (a checkpoint's `vocab`): throws
    /// when a character appears twice, since two ids for one character make encoding ambiguous.
    /// `source` labels errors.
    public init(validating vocabulary: [Unicode.Scalar], source: String) throws {
        var firstIndex: [Unicode.Scalar: Int] = [:]
        for (i, ch) in vocabulary.enumerated() {
            if let j = firstIndex.updateValue(i, forKey: ch) {
                let code = "U+" + String(ch.value, radix: 16, uppercase: true)
                throw GPTError.badCheckpoint("\(source): vocab holds character \(code) twice (ids \(j) and \(i)); each character must appear once, so the file is corrupt")
            }
        }
        self.init(vocabulary: vocabulary)
    }

    /// Decodes a checkpoint's `vocab` (a JSON array of one-character strings, in id order) and
    /// validates it as `init(validating:source:)`.
    public static func decode(json: String, source: String) throws -> CharTokenizer {
        guard let list = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Any] else {
            throw GPTError.badCheckpoint("\(source): __metadata__ \"vocab\" is not a JSON array; save the checkpoint again with `slate gpt train`")
        }
        guard !list.isEmpty, list.count <= maxVocabularySize else {
            throw GPTError.badCheckpoint("\(source): __metadata__ \"vocab\" holds \(list.count) entries; a vocabulary has 1 to \(maxVocabularySize) characters")
        }
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(list.count)
        for (i, entry) in list.enumerated() {
            guard let text = entry as? String, text.unicodeScalars.count == 1, let ch = text.unicodeScalars.first else {
                throw GPTError.badCheckpoint("\(source): vocab entry \(i) is not a single character; \"vocab\" must list one character per token id")
            }
            scalars.append(ch)
        }
        return try CharTokenizer(validating: scalars, source: source)
    }

    /// A tokenizer over a given vocabulary (e.g. read from a checkpoint), ids in array order.
    /// The characters must be distinct (`init(validating:source:)` checks untrusted input).
    public init(vocabulary: [Unicode.Scalar]) {
        self.vocabulary = vocabulary
        var ids: [Unicode.Scalar: Int] = [:]
        for (i, ch) in vocabulary.enumerated() { ids[ch] = i }
        self.ids = ids
    }

    /// Number of tokens.
    public var count: Int { vocabulary.count }

    /// Token ids of `text`; throws naming the first character outside the vocabulary.
    public func encode(_ text: String) throws -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(text.utf8.count)
        for (position, ch) in text.unicodeScalars.enumerated() {
            guard let id = ids[ch] else { throw GPTError.unknownCharacter(ch, position: position) }
            out.append(id)
        }
        return out
    }

    /// The text of `tokens` (ids must be in range).
    public func decode(_ tokens: [Int]) -> String {
        var s = String.UnicodeScalarView()
        for t in tokens { s.append(vocabulary[t]) }
        return String(s)
    }

    public static func == (a: CharTokenizer, b: CharTokenizer) -> Bool { a.vocabulary == b.vocabulary }
}
