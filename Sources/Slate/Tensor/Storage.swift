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

    /// A block of `count` floats, zero-filled when `zeroed` is true.
    public init(count: Int, zeroed: Bool) {
        self.count = count
        self.pointer = StoragePool.shared.take(count)
        if zeroed { pointer.update(repeating: 0, count: count) }
    }

    deinit { StoragePool.shared.give(pointer, count) }

    /// The elements as a mutable buffer.
    @inline(__always)
    public var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }
}

/// Free blocks keyed by their exact element count. Thread-safe.
///
/// Holds at most `limitBytes` of idle memory; beyond that, returned blocks are freed.
public final class StoragePool: @unchecked Sendable {
    /// The process-wide pool.
    public static let shared = StoragePool()

    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var idleBytes = 0
    private let lock = NSLock()
    /// Upper bound on idle pooled memory (default 1 GiB).
    public var limitBytes = 1 << 30

    /// Counters for tests and benchmarks: allocations served from the pool vs. fresh.
    public private(set) var hits = 0
    public private(set) var misses = 0

    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        lock.lock()
        if let p = free[count]?.popLast() {  // pops in place: no copy of the list
            idleBytes -= count * 4
            hits += 1
            lock.unlock()
            return p
        }
        misses += 1
        lock.unlock()
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    func give(_ p: UnsafeMutablePointer<Float>, _ count: Int) {
        lock.lock()
        if idleBytes + count * 4 <= limitBytes {
            free[count, default: []].append(p)
            idleBytes += count * 4
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
