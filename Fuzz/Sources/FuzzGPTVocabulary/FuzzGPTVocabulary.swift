import Foundation
import FuzzSupport
import SlateGPT

/// Input: the JSON of a checkpoint's `vocab`. A vocabulary that decodes has distinct characters,
/// so encoding its own characters and decoding the ids gives them back.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGPTVocabulary(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let json = String(decoding: Fuzz.data(bytes, count), as: UTF8.self)
    Fuzz.expectCleanFailure {
        let tokenizer = try CharTokenizer.decode(json: json, source: "fuzz")
        var text = String.UnicodeScalarView()
        text.append(contentsOf: tokenizer.vocabulary)
        let ids = try tokenizer.encode(String(text))
        precondition(ids == Array(0..<tokenizer.count), "ids follow the vocabulary order")
    }
    return 0
}

@main enum Main { static func main() { Fuzz.main(fuzzGPTVocabulary) } }
