import XCTest
import Slate

/// The engine's random-number family: SplitMix64 against its published test vector, O(1) jumps
/// against drawing, purposes as separate streams.
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
}
