import XCTest
import Slate
@testable import SlateGPT

final class SamplingTests: XCTestCase {
    /// Every position's cached logits equal the uncached forward's within 1e-4, including after
    /// the context outgrows block_size (nanoGPT crops to the last block_size tokens).
    func testCachedAndUncachedLogitsAgree() throws {
        let model = try tinyGPT(bias: true)
        model.eval()
        let sequence = [3, 1, 4, 1, 5, 2, 6, 5, 3, 0]            // longer than block_size 6
        let cache = KVCache(model: model)
        var valid = false
        for n in 1...sequence.count {
            let context = Array(sequence[..<n])
            let cached = cache.logits(after: context, cachedPrefixValid: valid)
            valid = true
            let window = Array(context.suffix(6))
            let full = withNoGrad { model.logits(window, batch: 1) }.toArray()
            let last = Array(full[((window.count - 1) * 7)...])
            let worst = zip(cached, last).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(worst, 1e-4, "position \(n)")
        }
    }

    func testSamplingIsSeededAndRespectsTopK() throws {
        let model = try tinyGPT()
        var a = RandomGenerator(seed: 9), b = RandomGenerator(seed: 9)
        let opts = SamplingOptions(maxNewTokens: 20, temperature: 1, topK: nil)
        let s1 = model.generate(prompt: [1], options: opts, generator: &a)
        XCTAssertEqual(s1, model.generate(prompt: [1], options: opts, generator: &b))
        XCTAssertEqual(s1.count, 20)
        var rng = RandomGenerator(seed: 1)
        let logits: [Float] = [0, 5, 1, 4, -2]
        for _ in 0..<200 { XCTAssertTrue([1, 3].contains(sampleToken(logits, temperature: 1, topK: 2, generator: &rng))) }
        XCTAssertEqual(sampleToken(logits, temperature: 0, topK: nil, generator: &rng), 1)
    }
}
