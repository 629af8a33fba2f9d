import Foundation

/// Refusing a size before allocating it: sizes read from flags and files are multiplied with
/// overflow checks, and the bytes they need are compared with the machine's physical memory.
///
/// A run that would need more memory than the machine has cannot succeed; checked here, it stops
/// at once with a sentence naming the size, instead of a "failed to allocate" abort (or a
/// wrapped-around product that allocates garbage) after the work has started.
///
///     try MemoryBudget.check(bytes: MemoryBudget.bytes(of: [batch, blockSize, width], what: "activations"),
///                            what: "activations (batch \(batch))")

/// A size that overflows, is negative, or does not fit in this machine's memory.
public struct MemoryBudgetError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// One sentence: what needs how much, what the machine has, and what to do.
    public let description: String
    public var errorDescription: String? { description }
}

/// Overflow-checked size arithmetic and the physical-memory check behind it.
public enum MemoryBudget {
    /// Physical memory of this machine in bytes (`SLATE_MEMORY_LIMIT`, in bytes, lowers it for tests).
    public static var physicalBytes: Int {
        let physical = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        if let text = ProcessInfo.processInfo.environment["SLATE_MEMORY_LIMIT"], let limit = Int(text), limit > 0 {
            return min(limit, physical)
        }
        return physical
    }

    /// The product of `factors`, or an error naming `what` when a factor is negative or the
    /// product overflows `Int` (sizes read from input must pass through here before use).
    public static func product(_ factors: [Int], what: String) throws -> Int {
        var p = 1
        for f in factors {
            guard f >= 0 else {
                throw MemoryBudgetError(description: "\(what) has a negative size \(f) (sizes \(factors)); every size must be 0 or more")
            }
            let (q, overflow) = p.multipliedReportingOverflow(by: f)
            guard !overflow else {
                throw MemoryBudgetError(description: "\(what) needs more than \(Int.max) elements (sizes \(factors)); lower the sizes")
            }
            p = q
        }
        return p
    }

    /// The sum of `terms` (each ≥ 0), overflow-checked.
    public static func sum(_ terms: [Int], what: String) throws -> Int {
        var s = 0
        for t in terms {
            let (u, overflow) = s.addingReportingOverflow(t)
            guard t >= 0, !overflow else {
                throw MemoryBudgetError(description: "\(what) needs more than \(Int.max) bytes; lower the sizes")
            }
            s = u
        }
        return s
    }

    /// Bytes of a tensor of `shape` with `bytesPerElement` (Float by default), overflow-checked.
    public static func bytes(of shape: [Int], bytesPerElement: Int = MemoryLayout<Float>.stride, what: String) throws -> Int {
        try product(shape + [bytesPerElement], what: what)
    }

    /// Throws when `bytes` exceed the physical memory (`limit`), e.g. "this configuration needs
    /// ≈ 3.1 TB for activations (batch 100000000000); this machine has 24 GB; lower the sizes".
    public static func check(bytes: Int, what: String, limit: Int = physicalBytes) throws {
        guard bytes >= 0 else { throw MemoryBudgetError(description: "\(what) has a negative size; every size must be 0 or more") }
        guard bytes > limit else { return }
        throw MemoryBudgetError(description: "this configuration needs ≈ \(format(bytes)) for \(what); this machine has \(format(limit)); lower the sizes")
    }

    /// `check(bytes:)` for a tensor of `shape` (overflow-checked product first).
    public static func check(shape: [Int], bytesPerElement: Int = MemoryLayout<Float>.stride, what: String) throws {
        try check(bytes: bytes(of: shape, bytesPerElement: bytesPerElement, what: what), what: what)
    }

    /// `bytes` in binary units (1 GB = 2³⁰ bytes, as `free -h`), two significant digits ("3.1 TB", "24 GB").
    public static func format(_ bytes: Int) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        var value = Double(bytes), unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        let text = value >= 10 || unit == 0 ? String(Int(value.rounded())) : String(format: "%.1f", value)
        return "\(text) \(units[unit])"
    }
}
