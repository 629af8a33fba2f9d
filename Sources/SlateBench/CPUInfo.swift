import Slate
import Foundation

/// What the machine says about its processor: model, board, core type, clock and vector features.
///
/// Read from `/proc/cpuinfo`, `/proc/device-tree/model` (Raspberry Pi and other boards) and
/// cpufreq in sysfs on Linux; fields that cannot be read stay nil. `parse` takes the texts
/// directly, so a recorded Raspberry Pi `cpuinfo` can be tested on any machine.
public struct CPUInfo: Sendable, Codable, Equatable {
    /// "AMD EPYC 9R14", or for ARM the core name ("Cortex-A76") when the kernel gives no model.
    public var model: String
    /// The board, e.g. "Raspberry Pi 5 Model B Rev 1.0" (nil on PCs and servers).
    public var board: String?
    /// ARM core name decoded from "CPU part" (e.g. "Cortex-A72"); nil on x86.
    public var armCore: String?
    /// Logical processors listed.
    public var logicalCores: Int
    /// "cpu MHz" from /proc/cpuinfo (often the nominal clock in a virtual machine).
    public var reportedMHz: Double?
    /// Current or maximum frequency from cpufreq in sysfs, when present.
    public var cpufreqMHz: Double?
    /// CPU feature flags of interest that are present: "avx2", "fma", "avx512f", "asimd".
    public var features: [String]

    /// One line for benchmark headers.
    public var summary: String {
        var parts = [model]
        if let board { parts.append("on \(board)") }
        if let armCore, armCore != model { parts.append("(\(armCore))") }
        parts.append("· \(logicalCores) logical CPUs")
        if !features.isEmpty { parts.append("· " + features.joined(separator: " ")) }
        return parts.joined(separator: " ")
    }

    /// This machine, read from the system files (Linux) or the host's processor count elsewhere.
    public static var current: CPUInfo {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let board = (try? String(contentsOfFile: "/proc/device-tree/model", encoding: .utf8))
        let base = "/sys/devices/system/cpu/cpu0/cpufreq/"
        let khz = ["scaling_cur_freq", "cpuinfo_max_freq"].lazy
            .compactMap { try? String(contentsOfFile: base + $0, encoding: .utf8) }
            .compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }.first
        var info = parse(cpuinfo: cpuinfo, deviceTreeModel: board, cpufreqKHz: khz)
        if info.logicalCores == 0 { info.logicalCores = ProcessInfo.processInfo.activeProcessorCount }
        return info
    }

    /// Parses the text of `/proc/cpuinfo` (x86 or ARM layout), the device-tree model (may end in
    /// a NUL byte) and a cpufreq reading in kHz.
    public static func parse(cpuinfo: String, deviceTreeModel: String? = nil, cpufreqKHz: Double? = nil) -> CPUInfo {
        var fields: [String: String] = [:]  // first value of each key
        var processors = 0
        for line in cpuinfo.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if key == "processor" { processors += 1 }
            if fields[key] == nil { fields[key] = value }
        }
        let armCore = fields["cpu part"].flatMap { armCoreName(part: $0, implementer: fields["cpu implementer"]) }
        let cleanedBoard = deviceTreeModel?
            .replacingOccurrences(of: "\0", with: "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // ARM kernels print the board as "Model : Raspberry Pi ..."; x86 uses "model" for a number.
        let cpuinfoBoard = fields["model"].flatMap { $0.contains(where: \.isLetter) ? $0 : nil }
        let board = (cleanedBoard?.isEmpty == false ? cleanedBoard : nil) ?? cpuinfoBoard
        let model = fields["model name"] ?? armCore ?? fields["hardware"] ?? "unknown CPU"
        let flags = Set((fields["flags"] ?? fields["features"] ?? "").split(separator: " ").map(String.init))
        let interesting = ["avx2", "fma", "avx512f", "asimd", "sve"].filter(flags.contains)
        return CPUInfo(model: model, board: board, armCore: armCore, logicalCores: processors,
                       reportedMHz: fields["cpu mhz"].flatMap(Double.init),
                       cpufreqMHz: cpufreqKHz.map { $0 / 1000 }, features: interesting)
    }

    /// Arm Ltd. core names for the "CPU part" numbers found on boards people benchmark.
    static func armCoreName(part: String, implementer: String?) -> String? {
        guard implementer == nil || implementer?.lowercased() == "0x41" else { return nil }
        let names: [String: String] = [
            "0xd03": "Cortex-A53", "0xd04": "Cortex-A35", "0xd05": "Cortex-A55", "0xd07": "Cortex-A57",
            "0xd08": "Cortex-A72", "0xd09": "Cortex-A73", "0xd0a": "Cortex-A75", "0xd0b": "Cortex-A76",
            "0xd0c": "Neoverse-N1", "0xd0d": "Cortex-A77", "0xd40": "Neoverse-V1", "0xd41": "Cortex-A78",
            "0xd46": "Cortex-A510", "0xd47": "Cortex-A710", "0xd49": "Neoverse-N2", "0xd4f": "Neoverse-V2",
        ]
        return names[part.lowercased()]
    }
}
