import Foundation

/// The output directory of a run, checked before any work starts.
///
/// - A directory that already holds a run (any of `markers`) is refused unless `--resume`
///   (continue it) or `--overwrite` (start again) is given: a finished model is never replaced by
///   accident.
/// - `--resume` needs a checkpoint to resume from.
/// - A path that is a file, cannot be created or cannot be written is reported at once, not after
///   an hour of training.
/// - Temporary files a killed run left behind (`.<name>.tmp-…`, `.dat.nosync…`) are removed.
enum RunDirectory {
    /// Files whose presence means a directory holds a run.
    static let markers = ["config.toml", "config.json", "summary.json", "metrics.csv", "checkpoint.safetensors",
                          "model.safetensors", "policy.safetensors"]

    /// Checks and prepares `path`; `checkpoint` is the file `--resume` needs.
    static func prepare(_ path: String, resume: Bool, overwrite: Bool, checkpoint: String) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue {
            throw CLIError("--out \(path) is a file, not a directory; choose another --out.", status: .cannotCreate)
        }
        let contents = exists ? ((try? fm.contentsOfDirectory(atPath: path)) ?? []) : []
        if resume {
            guard contents.contains(checkpoint) else {
                throw CLIError("nothing to resume: \(path)/\(checkpoint) does not exist; run without --resume to start this run.", status: .noInput)
            }
        } else if contents.contains(where: markers.contains) {
            if overwrite {
                for name in contents { try? fm.removeItem(atPath: path + "/" + name) }
            } else {
                throw CLIError("\(path) already holds a run; pass --resume to continue it, --overwrite to start again, or choose another --out.", status: .cannotCreate)
            }
        }
        do {
            try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create --out \(path) (\(reason(error))); choose another --out.", status: .cannotCreate)
        }
        let probe = path + "/.slate-write-test-\(getpid())"
        guard fm.createFile(atPath: probe, contents: Data("ok".utf8)) else {
            throw CLIError("cannot write into --out \(path) (read-only or no permission); choose another --out.", status: .cannotCreate)
        }
        try? fm.removeItem(atPath: probe)
        // Ours (`.<name>.tmp-…` from writeAtomically, the write probe) and Foundation's (`.dat.nosync…` from createFile).
        for name in contents where name.hasPrefix(".") && (name.contains(".tmp-") || name.hasPrefix(".dat.nosync")
                                                             || name.hasPrefix(".slate-write-test-")) {
            try? fm.removeItem(atPath: path + "/" + name)
        }
    }

    private static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        return "not writable"
    }
}
