import ArgumentParser
import Foundation

/// Range checks for numeric flags and a memory estimate made before anything is allocated, used
/// by `gcn train` and `demo moons`. (The engine has no memory-estimate helper yet; this is a local
/// upper-bound check in Double arithmetic, so absurd sizes cannot overflow it.)
enum GCNLimits {
    static let maxLayers = 1_000
    static let maxEpochs = 1_000_000
    static let maxUnits = 100_000

    /// `value` must be finite and > 0.
    static func positiveFinite(_ value: Float, _ flag: String) throws {
        guard value.isFinite else { throw ValidationError("\(flag) must be a finite number (got \(value)).") }
        guard value > 0 else { throw ValidationError("\(flag) must be positive (got \(value)).") }
    }

    /// `value` must be finite and in `range` (optionally excluding an end).
    static func finite(_ value: Float, _ flag: String, in range: ClosedRange<Float>,
                       excludingLower: Bool = false, excludingUpper: Bool = false) throws {
        guard value.isFinite else { throw ValidationError("\(flag) must be a finite number (got \(value)).") }
        let low = excludingLower ? "(" : "[", high = excludingUpper ? ")" : "]"
        let upper = range.upperBound == .greatestFiniteMagnitude ? "∞" : "\(range.upperBound)"
        guard range.contains(value), !(excludingLower && value == range.lowerBound),
              !(excludingUpper && value == range.upperBound) else {
            throw ValidationError("\(flag) must be in \(low)\(range.lowerBound), \(upper)\(high) (got \(value)).")
        }
    }

    /// An integer flag in `range`.
    static func count(_ value: Int, _ flag: String, _ range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            let text = range.upperBound == .max ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
            throw ValidationError("\(flag) must be \(text) (got \(value)).")
        }
    }

    /// Bytes a graph-classification run needs, roughly: parameters ×6 (weights, gradients, two Adam
    /// moments, best-so-far and checkpoint copies) and per-node activations of the largest batch
    /// (input, pre- and post-activation and gradient of every layer, ×8 to be safe).
    static func graphBytes(features: Int, classes: Int, layers: Int, hidden: Int, batchNodes: Double) -> Double {
        let h = Double(hidden), l = Double(layers)
        let parameters = Double(features) * h + (l - 1) * h * h + 2 * h * h + h * Double(classes) + (l + 3) * h
        return 4 * (6 * parameters + 8 * batchNodes * (Double(features) + l * h))
    }

    /// Bytes a node-classification run needs: as ``graphBytes`` for one graph of `nodes` nodes.
    static func nodeBytes(nodes: Int, features: Int, classes: Int, hidden: Int) -> Double {
        let parameters = Double(features) * Double(hidden) + Double(hidden) * Double(classes)
        return 4 * (6 * parameters + 8 * Double(nodes) * (Double(hidden) + Double(classes)))
    }

    /// Refuses, before any allocation, a configuration whose estimate exceeds physical memory.
    static func requireMemory(_ bytes: Double, for what: String) throws {
        let physical = Double(ProcessInfo.processInfo.physicalMemory)
        guard bytes.isFinite, bytes <= physical else {
            throw ValidationError("this configuration needs ≈ \(format(bytes)) (\(what)); this machine has \(format(physical)); use smaller sizes.")
        }
    }

    /// "3.1 TB", "24 GB", "512 MB".
    static func format(_ bytes: Double) -> String {
        guard bytes.isFinite else { return "more than can be counted" }
        let units = ["B", "KB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
        var value = bytes, unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return value < 10 ? String(format: "%.1f %@", value, units[unit]) : String(format: "%.0f %@", value, units[unit])
    }
}
