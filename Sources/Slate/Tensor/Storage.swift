import Foundation

/// A block of `Float`s owned by one tensor (or shared by a tensor and its reshaped views).
///
/// Blocks come from `StoragePool` and go back to it when the last owner lets go, so a training
/// step that allocates the same activation shapes as the previous one reuses their memory
/// instead of calling malloc. Contents of a fresh block are undefined unless `zeroed`.
public final class Storage {
    /// First element; 64-byte aligned.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of elements.
    public let count: Int

    /// A block of `count` floats, zero-filled when `zeroed` is true (over `Threads.count`
    /// threads when large: a gradient buffer zeroed serially left the other core idle).
    public init(count: Int, zeroed: Bool) {
        self.count = count
        self.pointer = StoragePool.shared.take(count)
        if zeroed {
            let p = pointer
            parallelRanges(count) { start, end in (p + start).update(repeating: 0, count: end - start) }
        }
    }

    deinit { StoragePool.shared.give(pointer, count) }

    /// The elements as a mutable buffer.
    @inline(__always)
    public var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }
}

/// Free blocks keyed by size class. Thread-safe: every mutable property is read and written
/// under one lock (hence `@unchecked Sendable`).
///
/// A request is rounded up to its size class (`sizeClass(_:)`: at most 12.5 % larger), so that
/// tensors whose sizes vary a little from step to step — a batch of graphs with a different node
/// count each time — reuse the same blocks instead of each new size adding idle memory (keyed by
/// exact size, a MUTAG cross-validation run held 500 MB of idle blocks). Holds at most
/// `limitBytes` of idle memory; beyond that, returned blocks are freed.
///
/// By default that bound is 1 GiB or the most memory tensors have held at once, whichever is
/// larger: a training step frees its activations at the end of backward and allocates them
/// again in the next forward, and a 1 GiB bound made nanoGPT's large config (2.9 GB of live
/// tensors) free and re-fault 2 GB every step — 6 % of its time, and a higher peak RSS too.
public final class StoragePool: @unchecked Sendable {
    /// The process-wide pool.
    public static let shared = StoragePool()

    private let lock = NSLock()
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var idleBytes = 0
    private var liveBytes = 0, peakLive = 0            // held by tensors now, and at most so far
    private var setLimit: Int?                         // nil: the default below
    private var hitCount = 0, missCount = 0

    /// Upper bound on idle pooled memory. By default the larger of 1 GiB and the peak of live
    /// tensor memory so far (``peakLiveBytes``); setting it fixes it at that value (0: pool
    /// nothing), `nil` restores the default. Lowering it frees nothing at once; blocks returned
    /// beyond it are freed (call `drain()` to free the idle ones now).
    public var limitBytes: Int? {
        get { lock.lock(); defer { lock.unlock() }; return setLimit }
        set { lock.lock(); defer { lock.unlock() }; setLimit = newValue.map { Swift.max(0, $0) } }
    }

    /// The most memory (in bytes, by size class) tensors have held at once since the process
    /// started.
    public var peakLiveBytes: Int { lock.lock(); defer { lock.unlock() }; return peakLive }

    /// The idle bound in force (call with the lock held).
    private var idleLimit: Int { setLimit ?? Swift.max(1 << 30, peakLive) }

    /// Allocations served from the pool so far (for tests and benchmarks).
    public var hits: Int { lock.lock(); defer { lock.unlock() }; return hitCount }
    /// Allocations that needed fresh memory so far.
    public var misses: Int { lock.lock(); defer { lock.unlock() }; return missCount }

    /// The capacity a request for `count` floats gets: multiples of 16 up to 128, then the
    /// next multiple of an eighth of the largest power of two not above `count`.
    static func sizeClass(_ count: Int) -> Int {
        if count <= 128 { return Swift.max(16, (count + 15) / 16 * 16) }
        let step = (1 << (Int.bitWidth - 1 - count.leadingZeroBitCount)) / 8
        return (count + step - 1) / step * step
    }

    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let size = Self.sizeClass(count)
        lock.lock()
        liveBytes += size * 4
        peakLive = Swift.max(peakLive, liveBytes)
        if let p = free[size]?.popLast() {  // pops in place: no copy of the list
            idleBytes -= size * 4
            hitCount += 1
            lock.unlock()
            return p
        }
        missCount += 1
        lock.unlock()
        let raw = UnsafeMutableRawPointer.allocate(byteCount: size * 4, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: size)
    }

    func give(_ p: UnsafeMutablePointer<Float>, _ count: Int) {
        let size = Self.sizeClass(count)
        lock.lock()
        liveBytes -= size * 4
        if idleBytes + size * 4 <= idleLimit {
            free[size, default: []].append(p)
            idleBytes += size * 4
            lock.unlock()
        } else {
            lock.unlock()
            UnsafeMutableRawPointer(p).deallocate()
        }
    }

    /// Frees every idle block (e.g. between two differently shaped workloads).
    public func drain() {
        lock.lock()
        let lists = free
        free = [:]
        idleBytes = 0
        lock.unlock()
        for (_, list) in lists { for p in list { UnsafeMutableRawPointer(p).deallocate() } }
    }
}
