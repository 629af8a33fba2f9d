import Dispatch
import Foundation
import Slate
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How one run of a sweep ended, kept as `<run>/sweep-status.json` so a resumed sweep knows.
struct SweepRunStatus: Codable {
    enum State: String, Codable { case ok, failed }
    var state: State
    /// The run's `Error:` line (or how it stopped) when it failed.
    var error: String?
    var exitStatus: Int32
    /// Seconds from starting the process to its exit.
    var wallSeconds: Double

    enum CodingKeys: String, CodingKey {
        case state = "status", error, exitStatus = "exit_status", wallSeconds = "wall_seconds"
    }
}

/// Runs the planned runs of a sweep as child `slate` processes, `parallel` at a time, each in
/// `<dir>/<run name>/` with `--config <run>/run.toml --out <run>` (and `--threads`), its output in
/// `<run>/output.log`. A run whose process fails is recorded and the sweep goes on.
///
/// Resuming: a run whose directory has `summary.json` (the trainers write it last) is finished
/// and skipped; a recorded failure is skipped unless `retryFailed`; an interrupted run continues
/// from its `checkpoint.safetensors` with `--resume`, or starts again when it has none.
final class SweepRunner: @unchecked Sendable {
    let directory: String
    let trainer: SweepTrainer
    let executable: URL
    let parallel: Int
    /// `--threads` for each child (nil: the run file sets threads itself).
    let threadsPerRun: Int
    let retryFailed: Bool
    /// Called on the calling thread after each run ends (skipped runs included).
    var onFinish: (PlannedRun, SweepRunStatus, _ skipped: Bool) -> Void = { _, _, _ in }
    /// Called on the calling thread when a run starts.
    var onStart: (PlannedRun) -> Void = { _ in }

    private let lock = NSLock()
    private var running: [Int: Process] = [:]
    private var exited: [Int] = []
    private let wake = DispatchSemaphore(value: 0)

    init(directory: String, trainer: SweepTrainer, executable: URL, parallel: Int, threadsPerRun: Int, retryFailed: Bool) {
        (self.directory, self.trainer, self.executable) = (directory, trainer, executable)
        (self.parallel, self.threadsPerRun, self.retryFailed) = (parallel, threadsPerRun, retryFailed)
    }

    func runDirectory(_ run: PlannedRun) -> String { directory + "/" + run.name }

    /// What a resumed sweep finds for `run`: finished, failed before, or still to do.
    enum Found { case finished(SweepRunStatus), failed(SweepRunStatus), toDo }

    func found(_ run: PlannedRun) -> Found {
        let dir = runDirectory(run)
        let recorded = (FileManager.default.contents(atPath: dir + "/sweep-status.json"))
            .flatMap { try? JSONDecoder().decode(SweepRunStatus.self, from: $0) }
        if FileManager.default.fileExists(atPath: dir + "/summary.json") {
            // Finished even if the sweep was killed before it could record so.
            return .finished(recorded.flatMap { $0.state == .ok ? $0 : nil }
                             ?? SweepRunStatus(state: .ok, error: nil, exitStatus: 0, wallSeconds: Self.summaryWallSeconds(dir)))
        }
        if let recorded, recorded.state == .failed, !retryFailed { return .failed(recorded) }
        return .toDo
    }

    /// Throws when a run directory holds a run of other settings (the sweep file changed).
    func checkUnchanged(_ runs: [PlannedRun]) throws {
        for run in runs {
            let file = runDirectory(run) + "/run.toml"
            guard let old = FileManager.default.contents(atPath: file) else { continue }
            if String(decoding: old, as: UTF8.self) != run.runFileText {
                throw CLIError("\(file) holds other settings than the sweep file now gives run \(run.name); pass --overwrite to start the sweep again, or choose another --out.", status: .cannotCreate)
            }
        }
    }

    /// Runs everything not finished yet; returns when all have ended.
    func run(_ runs: [PlannedRun]) throws {
        var pending: [PlannedRun] = []
        for run in runs {
            switch found(run) {
            case let .finished(status), let .failed(status): onFinish(run, status, true)
            case .toDo: pending.append(run)
            }
        }
        _ = SweepChildren.pids   // allocated before a handler can read it
        installSignalHandlers()
        var started: [Int: (run: PlannedRun, at: Date)] = [:]
        var next = pending.startIndex
        while next < pending.endIndex || !started.isEmpty {
            while next < pending.endIndex && started.count < parallel {
                let run = pending[next]
                next += 1
                onStart(run)
                do {
                    try start(run)
                    started[run.index] = (run, Date())
                } catch {
                    let status = SweepRunStatus(state: .failed, error: "could not start: \(report(for: error).message)", exitStatus: -1, wallSeconds: 0)
                    try record(status, for: run)
                    onFinish(run, status, false)
                }
            }
            guard !started.isEmpty else { continue }
            wake.wait()
            let done: [(Int, Process)] = lock.withLock {
                let done = exited.compactMap { index in running[index].map { (index, $0) } }
                for (index, process) in done {
                    running[index] = nil
                    SweepChildren.remove(process.processIdentifier)
                }
                exited.removeAll()
                return done
            }
            for (index, process) in done {
                guard let (run, at) = started.removeValue(forKey: index) else { continue }
                let status = outcome(of: process, run: run, seconds: Date().timeIntervalSince(at))
                try record(status, for: run)
                onFinish(run, status, false)
            }
        }
    }

    // MARK: One child

    private func start(_ run: PlannedRun) throws {
        let fm = FileManager.default
        let dir = runDirectory(run)
        let resume = fm.fileExists(atPath: dir + "/checkpoint.safetensors")
        if !resume, fm.fileExists(atPath: dir) {
            for name in try fm.contentsOfDirectory(atPath: dir) { try fm.removeItem(atPath: dir + "/" + name) }
        }
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try writeAtomically(run.runFileText, to: URL(fileURLWithPath: dir + "/run.toml"))
        try? fm.removeItem(atPath: dir + "/sweep-status.json")
        var arguments = trainer.words + ["--config", dir + "/run.toml", "--out", dir]
        if !run.settings.contains(where: { $0.key == "threads" }) { arguments += ["--threads", String(threadsPerRun)] }
        if resume { arguments.append("--resume") }

        let logPath = dir + "/output.log"
        guard fm.createFile(atPath: logPath, contents: Data("$ slate \(arguments.joined(separator: " "))\n".utf8)),
              let log = FileHandle(forWritingAtPath: logPath) else {
            throw CLIError("cannot write \(logPath); check the permissions of --out.", status: .cannotCreate)
        }
        log.seekToEndOfFile()
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        let index = run.index
        process.terminationHandler = { [weak self] _ in
            guard let self else { return }
            self.lock.withLock { self.exited.append(index) }
            self.wake.signal()
        }
        try lock.withLock {
            try process.run()
            running[index] = process
            SweepChildren.add(process.processIdentifier)
        }
        try? log.close()
    }

    private func outcome(of process: Process, run: PlannedRun, seconds: Double) -> SweepRunStatus {
        let code = process.terminationStatus
        if process.terminationReason == .exit && code == 0 {
            if FileManager.default.fileExists(atPath: runDirectory(run) + "/summary.json") {
                return SweepRunStatus(state: .ok, error: nil, exitStatus: 0, wallSeconds: seconds)
            }
            return SweepRunStatus(state: .failed, error: "the run ended without writing summary.json", exitStatus: 0, wallSeconds: seconds)
        }
        let log = (try? String(contentsOfFile: runDirectory(run) + "/output.log", encoding: .utf8)) ?? ""
        let errorLine = log.split(separator: "\n").last { $0.hasPrefix("Error: ") }.map { String($0.dropFirst("Error: ".count)) }
        let how = process.terminationReason == .uncaughtSignal ? "stopped by signal \(code)" : "exited with status \(code)"
        return SweepRunStatus(state: .failed, error: errorLine ?? "\(how); see \(runDirectory(run))/output.log",
                              exitStatus: process.terminationReason == .uncaughtSignal ? 128 + code : code, wallSeconds: seconds)
    }

    private func record(_ status: SweepRunStatus, for run: PlannedRun) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try writeAtomically(try encoder.encode(status) + Data("\n".utf8),
                            to: URL(fileURLWithPath: runDirectory(run) + "/sweep-status.json"))
    }

    private static func summaryWallSeconds(_ dir: String) -> Double {
        let data = FileManager.default.contents(atPath: dir + "/summary.json") ?? Data()
        return ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any])?["wall_seconds"] as? Double ?? 0
    }

    // MARK: Interruption

    /// Ctrl-C or SIGTERM stops the running children too (SIGKILL: checkpoints are replaced
    /// atomically, so a run killed at any instant resumes) and exits with 128 + the signal.
    /// A handler, not SIG_IGN plus a dispatch source: an ignored signal would stay ignored in the children.
    private func installSignalHandlers() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { sig in
                for slot in 0..<SweepChildren.capacity where SweepChildren.pids[slot] > 0 { kill(SweepChildren.pids[slot], SIGKILL) }
                let note = "\nsweep interrupted; `slate sweep --resume --out DIR` continues it.\n"
                _ = note.withCString { write(STDERR_FILENO, $0, strlen($0)) }
                _exit(128 + sig)
            }
        }
    }
}

/// The process ids of the running children, where a signal handler can read them without
/// locking or allocating (a slot is 0 when free).
enum SweepChildren {
    static let capacity = 256
    nonisolated(unsafe) static let pids: UnsafeMutablePointer<pid_t> = {
        let p = UnsafeMutablePointer<pid_t>.allocate(capacity: capacity)
        p.initialize(repeating: 0, count: capacity)
        return p
    }()

    static func add(_ pid: pid_t) {
        if let slot = (0..<capacity).first(where: { pids[$0] == 0 }) { pids[slot] = pid }
    }

    static func remove(_ pid: pid_t) {
        for slot in 0..<capacity where pids[slot] == pid { pids[slot] = 0 }
    }
}
