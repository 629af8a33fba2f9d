import Foundation
import XCTest
import Slate
@testable import SlateGPT

final class TokenizerTests: XCTestCase {
    func testVocabularyIsSortedCodePointsAsPrepareDotPy() throws {
        let tok = CharTokenizer(text: "hello, World!\n")
        // Python: sorted(set("hello, World!\n")) == ['\n', ' ', '!', ',', 'W', 'd', 'e', 'h', 'l', 'o', 'r']
        XCTAssertEqual(tok.vocabulary.map { String($0) }, ["\n", " ", "!", ",", "W", "d", "e", "h", "l", "o", "r"])
        let ids = try tok.encode("hello")
        XCTAssertEqual(ids, [7, 6, 8, 8, 9])
        XCTAssertEqual(tok.decode(ids), "hello")
    }

    func testCarriageReturnNewlineIsTwoTokens() throws {
        let tok = CharTokenizer(text: "a\r\nb")
        XCTAssertEqual(tok.count, 4)
        XCTAssertEqual(try tok.encode("a\r\nb").count, 4)
    }

    func testUnknownCharacterIsNamed() {
        let tok = CharTokenizer(text: "abc")
        XCTAssertThrowsError(try tok.encode("abz")) { error in
            XCTAssertEqual(error as? GPTError, .unknownCharacter("z", position: 2))
            XCTAssertTrue("\(error)".contains("'z'"), "\(error)")
        }
    }

    func testTinyShakespeareVocabularyAndSplit() throws {
        let path = try tinyShakespearePath()
        let data = try TextDataset(file: path, blockSize: 64)
        // nanoGPT's prepare.py: vocab 65, 1,003,854 train and 111,540 val tokens.
        XCTAssertEqual(data.tokenizer.count, 65)
        XCTAssertEqual(data.train.count, 1_003_854)
        XCTAssertEqual(data.val.count, 111_540)
        XCTAssertEqual(String(data.tokenizer.vocabulary[0]), "\n")
    }

    func testBatchTargetsAreInputsShiftedByOne() throws {
        let text = String(repeating: "abcdefghij", count: 20)
        let data = try TextDataset(text: text, blockSize: 5)
        var rng = TorchGenerator(seed: 3)
        let (x, y) = data.batch(.train, batchSize: 4, blockSize: 5, generator: &rng)
        XCTAssertEqual(x.count, 20)
        for b in 0..<4 {
            for t in 0..<5 { XCTAssertEqual(y[b * 5 + t], (x[b * 5 + t] + 1) % 10) }
        }
        var again = TorchGenerator(seed: 3)
        XCTAssertEqual(data.batch(.train, batchSize: 4, blockSize: 5, generator: &again).inputs, x)
    }

    func testTooShortTextAndMissingFileAreErrors() {
        XCTAssertThrowsError(try TextDataset(text: "abc", blockSize: 8))
        XCTAssertThrowsError(try TextDataset(file: "/nonexistent/t.txt", blockSize: 8)) { error in
            XCTAssertTrue("\(error)".contains("make data"), "\(error)")
        }
    }
}
