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

    /// The worker pool runs every part exactly once across thousands of back-to-back jobs of
    /// mixed sizes, with nested calls (run serially inside a part) and with jobs submitted from
    /// several threads at once (one holds the pool, the others run serially).
    func testParallelRunRunsEveryPartOnce() {
        let saved = Threads.count
        defer { Threads.count = saved }
        Threads.count = 3
        let counts = UnsafeMutablePointer<Int32>.allocate(capacity: 64)
        defer { counts.deallocate() }
        for job in 0..<5_000 {
            let parts = 1 + job % 37
            counts.initialize(repeating: 0, count: parts)
            parallelRun(parts) { p in
                counts[p] += 1
                if job % 100 == 0 { parallelRun(2) { _ in counts[p] += 0 } }   // nested: serial
            }
            XCTAssertEqual((0..<parts).filter { counts[$0] != 1 }.count, 0, "job \(job)")
        }
        // Four submitting threads, each with its own counters.
        nonisolated(unsafe) let totals = UnsafeMutablePointer<Int>.allocate(capacity: 4 * 16)
        totals.initialize(repeating: 0, count: 4 * 16)
        defer { totals.deallocate() }
        nonisolated(unsafe) let shared = totals   // each thread writes only its own 16 counters
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for _ in 0..<500 { parallelRun(16) { p in shared[t * 16 + p] += 1 } }
        }
        XCTAssertEqual((0..<64).filter { totals[$0] != 500 }.count, 0)
    }
}
