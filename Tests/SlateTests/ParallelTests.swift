import XCTest
@testable import Slate

final class ParallelTests: XCTestCase {
    /// Every element of every segment is visited exactly once, whatever the thread count, with
    /// empty segments, segments cut between threads and many small ones in one share.
    func testParallelSegmentsVisitsEveryElementOnce() {
        let saved = Threads.count
        defer { Threads.count = saved }
        let lengths = [5, 0, 70_000, 3, 40_000, 1, 33_000]
        for threads in [1, 2, 3, 4] {
            Threads.count = threads
            let buffers = lengths.map { n -> UnsafeMutablePointer<Int32> in
                let p = UnsafeMutablePointer<Int32>.allocate(capacity: max(n, 1))
                p.initialize(repeating: 0, count: max(n, 1))
                return p
            }
            defer { buffers.forEach { $0.deallocate() } }
            parallelSegments(lengths, grain: 1_000) { i, s, e in
                for j in s..<e { buffers[i][j] += 1 }
            }
            for (i, n) in lengths.enumerated() {
                XCTAssertEqual((0..<n).filter { buffers[i][$0] != 1 }.count, 0, "segment \(i), \(threads) threads")
            }
        }
    }
}
