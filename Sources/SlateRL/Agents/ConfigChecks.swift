import Foundation

/// Checks shared by the agents' configurations: every value finite and in range, every size
/// product overflow-checked, and the memory a run needs compared with the machine's before
/// anything is allocated. Messages name the flag (`--clip-coef`) and say what to pass instead.
enum ConfigCheck {
    /// `value` must be finite and in `range`; `flag` names it in the message.
    static func value<F: BinaryFloatingPoint>(_ value: F, _ flag: String, in range: ClosedRange<F>,
                                             exclusiveLow: Bool = false) throws {
        guard value.isFinite else {
            throw TrainingConfigurationError("--\(flag) must be a finite number, got \(value)")
        }
        guard range.contains(value), !(exclusiveLow && value == range.lowerBound) else {
            let low = exclusiveLow ? "(\(range.lowerBound)" : "[\(range.lowerBound)"
            let high = range.upperBound == F.greatestFiniteMagnitude ? "∞)" : "\(range.upperBound)]"
            throw TrainingConfigurationError("--\(flag) must be in \(low), \(high), got \(value)")
        }
    }

    /// A positive finite value.
    static func positive<F: BinaryFloatingPoint>(_ value: F, _ flag: String) throws {
        try self.value(value, flag, in: 0...F.greatestFiniteMagnitude, exclusiveLow: true)
    }

    /// A non-negative finite value.
    static func nonNegative<F: BinaryFloatingPoint>(_ value: F, _ flag: String) throws {
        try self.value(value, flag, in: 0...F.greatestFiniteMagnitude)
    }

    /// An integer of at least `minimum`.
    static func atLeast(_ value: Int, _ minimum: Int, _ flag: String) throws {
        guard value >= minimum else {
            throw TrainingConfigurationError("--\(flag) must be at least \(minimum), got \(value)")
        }
    }

    /// Hidden layer sizes: one or more positive widths (an empty list is a linear model).
    static func hiddenSizes(_ sizes: [Int]) throws {
        guard sizes.count <= 64, sizes.allSatisfy({ $0 >= 1 }) else {
            throw TrainingConfigurationError("--hidden-sizes must be at most 64 positive widths such as 64,64, got \(sizes.map(String.init).joined(separator: ","))")
        }
    }

    /// `factors` multiplied, or an error naming `what` when the product overflows.
    static func product(_ factors: [Int], _ what: String) throws -> Int {
        var total = 1
        for f in factors {
            let (p, overflow) = total.multipliedReportingOverflow(by: Swift.max(f, 0))
            guard !overflow else {
                throw TrainingConfigurationError("\(what) is too large to count (\(factors.map(String.init).joined(separator: " × ")) overflows); use smaller values")
            }
            total = p
        }
        return total
    }

    /// The sum of `terms`, overflow-checked.
    static func sum(_ terms: [Int], _ what: String) throws -> Int {
        var total = 0
        for t in terms {
            let (s, overflow) = total.addingReportingOverflow(t)
            guard !overflow else { throw TrainingConfigurationError("\(what) is too large to count; use smaller values") }
            total = s
        }
        return total
    }

    /// Bytes of a network with layer widths `sizes`: weights, gradients and two Adam moments,
    /// plus activations and their gradients for `batch` rows.
    static func networkBytes(_ sizes: [Int], batch: Int, copies: Int = 4) throws -> Int {
        var parameters = 0, widths = 0
        for (a, b) in zip(sizes, sizes.dropFirst()) {
            parameters = try sum([parameters, try product([a + 1, b], "the network")], "the network")
            widths = try sum([widths, b], "the network")
        }
        return try sum([try product([parameters, copies, 4], "the network"),
                        try product([batch, widths, 3 * 4], "the network's activations")], "the network")
    }

    /// Refuses a run needing more than the machine's physical memory, with `what` naming the
    /// biggest consumer (e.g. "the replay buffer (--buffer-size 1000000000000)").
    static func memory(_ bytes: Int, _ what: String) throws {
        let available = ProcessInfo.processInfo.physicalMemory
        guard UInt64(bytes) > available else { return }
        throw TrainingConfigurationError("this configuration needs ≈ \(formatBytes(Double(bytes))) for \(what); this machine has \(formatBytes(Double(available))), so use smaller values")
    }

    /// "3.1 TB", "512 MB".
    static func formatBytes(_ bytes: Double) -> String {
        let units = ["B", "KB", "MB", "GB", "TB", "PB", "EB"]
        var value = bytes, unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return String(format: value < 10 ? "%.1f %@" : "%.0f %@", value, units[unit])
    }
}
