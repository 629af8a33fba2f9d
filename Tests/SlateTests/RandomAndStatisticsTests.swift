import XCTest
import Slate

/// The engine's random-number family and statistics helper: SplitMix64 against its published
/// test vector, O(1) jumps against drawing, purposes as separate streams, and the statistics
/// against NumPy's values.
final class RandomAndStatisticsTests: XCTestCase {
    func testSplitMix64MatchesTheReferenceAndJumpsAhead() {
        // Vigna's splitmix64.c seeded with 0: the first three outputs.
        var g = SplitMix64(seed: 0)
        XCTAssertEqual([g.next(), g.next(), g.next()], [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
        var drawn = SplitMix64(seed: 42)
        for _ in 0..<1000 { _ = drawn.next() }
        var jumped = SplitMix64(seed: 42).advanced(by: 1000)
        XCTAssertEqual(jumped.next(), drawn.next())
    }

    func testRandomGeneratorIsSeededBySplitMix64AndPurposesAreSeparateStreams() {
        var seeder = SplitMix64(seed: 7)
        XCTAssertEqual(RandomGenerator(seed: 7).state, [seeder.next(), seeder.next(), seeder.next(), seeder.next()])
        let weights = SeedPurpose("weights") { seed, k in seed &+ k }
        let dropout = SeedPurpose("dropout") { seed, k in (seed &+ k) ^ 0xD20_0047 }
        var a = RandomGenerator(seed: 7, for: weights, index: 2), b = RandomGenerator(seed: 7, for: dropout, index: 2)
        var c = RandomGenerator(seed: 9)
        XCTAssertEqual(a.next(), c.next(), "weights of unit 2 under seed 7 is the stream of seed 9")
        XCTAssertNotEqual(a.next(), b.next())
        XCTAssertEqual(dropout.seed(from: 7, index: 2), 9 ^ 0xD20_0047)
    }

    func testStatisticsMatchNumPy() {
        let x: [Double] = [2, 4, 4, 4, 5, 5, 7, 9]
        XCTAssertEqual(Statistics.mean(x), 5)                                            // np.mean
        XCTAssertEqual(Statistics.standardDeviation(x, correction: 0), 2)               // np.std
        XCTAssertEqual(Statistics.standardDeviation(x), 2.138089935299395, accuracy: 1e-15) // np.std(ddof=1)
        XCTAssertEqual(Statistics.variance(x), 32.0 / 7, accuracy: 1e-15)
        XCTAssertEqual(Statistics.median(x), 4.5)                                         // np.median
        XCTAssertEqual(Statistics.median([3, 1, 2]), 2)
        XCTAssertEqual(Statistics.mean(x[2..<4]), 4, "slices too")
        XCTAssertEqual(Statistics.mean([]), 0)
        XCTAssertEqual(Statistics.median([]), 0)
        XCTAssertEqual(Statistics.standardDeviation([3]), 0, "one value has no spread")
    }
}
