import Foundation

/// Like `parallelRanges`, but tells each task its chunk number, so a reduction can give every
/// task its own partial-result slot and sum the slots afterwards (no locks, no races).
///
/// `chunkCount(count, grain:)` is the number of chunks `parallelChunks` will use for the same
/// arguments; allocate that many slots before calling it.
func chunkCount(_ count: Int, grain: Int) -> Int {
    max(1, min(Threads.count, count / max(grain, 1)))
}

/// Runs `body(chunk, start, end)` over `0..<count` split into `chunkCount(count, grain:)`
/// contiguous chunks, in parallel when there is more than one.
@inline(__always)
func parallelChunks(_ count: Int, grain: Int, _ body: (_ chunk: Int, _ start: Int, _ end: Int) -> Void) {
    let chunks = chunkCount(count, grain: grain)
    if chunks == 1 {
        if count > 0 { body(0, 0, count) }
        return
    }
    let size = (count + chunks - 1) / chunks
    parallelRun(chunks) { c in
        let start = c * size, end = min(count, start + size)
        if start < end { body(c, start, end) }
    }
}
