import ArgumentParser
import Foundation
import Slate
import SlateGPT
import SlateGraph
import SlateRL

/// Exit statuses from sysexits.h, so scripts can tell a bad flag from a bad file from a full disk.
enum ExitStatus: Int32 {
    /// EX_USAGE: a bad flag or run-file value.
    case usage = 64
    /// EX_DATAERR: an input file (dataset, checkpoint, text) is malformed.
    case dataError = 65
    /// EX_NOINPUT: an input file does not exist or cannot be read.
    case noInput = 66
    /// EX_CANTCREAT: an output cannot be created (or would overwrite a run).
    case cannotCreate = 73
    /// EX_IOERR: reading or writing failed midway.
    case ioError = 74
    /// Anything else (a training run that diverged, an internal failure).
    case failure = 1
}

/// A failure to report to the user as `Error: <message>`, with its exit status.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    let status: ExitStatus
    init(_ message: String, status: ExitStatus = .failure) {
        description = message
        self.status = status
    }
}

/// The one-line message and exit status for any error a command throws.
/// Library errors carry messages written for users; Foundation's raw error text never reaches them.
func report(for error: Error) -> (message: String, status: ExitStatus) {
    switch error {
    case let e as CLIError: return (e.description, e.status)
    case let e as GraphDataError:
        if case .missingDataset = e { return (e.description, .noInput) }
        if case .invalidArgument = e { return (e.description, .usage) }
        return (e.description, .dataError)
    case let e as GPTError:
        switch e {
        case .missingFile: return (e.description, .noInput)
        case .badConfig: return (e.description, .usage)
        default: return (e.description, .dataError)
        }
    case let e as SafeTensorsError:
        return (e.description, e.description.contains("cannot read") || e.description.contains("no such file") ? .noInput : .dataError)
    case let e as FileWriteError: return (e.description, .cannotCreate)
    case let e as PolicyCheckpointError: return (e.description, .dataError)
    case let e as UnknownEnvironmentError: return (e.description, .usage)
    case let e as TrainingConfigurationError: return (e.description, .usage)
    case let e as TrainingCheckpointError: return (e.description, .dataError)
    case let e as TrainingDivergedError: return (e.description, .failure)
    case let e as EnvironmentSnapshotError: return (e.description, .dataError)
    case is DecodingError:
        return ("a file holds data of the wrong shape; check that it is the right file.", .dataError)
    case is EncodingError:
        return ("a result could not be written as JSON (a value is not finite).", .failure)
    case let e as CocoaError:
        return foundationReport(e as NSError)
    case let e as CustomStringConvertible:
        return (e.description.firstLine, .failure)
    default:
        return foundationReport(error as NSError)
    }
}

/// Foundation's file errors as one sentence (its own text names no path and says nothing to do).
private func foundationReport(_ ns: NSError) -> (message: String, status: ExitStatus) {
    let path = ns.userInfo[NSFilePathErrorKey] as? String ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path ?? "a file"
    switch ns.code {
    case NSFileReadNoSuchFileError, NSFileNoSuchFileError: return ("\(path) does not exist; check the path.", .noInput)
    case NSFileReadNoPermissionError: return ("\(path) cannot be read (permission denied).", .noInput)
    case NSFileWriteNoPermissionError, NSFileWriteVolumeReadOnlyError:
        return ("\(path) cannot be written (permission denied or read-only); choose another --out.", .cannotCreate)
    case NSFileWriteOutOfSpaceError: return ("no space left writing \(path); free some disk space.", .ioError)
    case NSFileWriteUnknownError, NSFileWriteInvalidFileNameError: return ("cannot write \(path); choose another --out.", .cannotCreate)
    case NSFileReadUnknownError, NSFileReadCorruptFileError: return ("cannot read \(path); check the file.", .ioError)
    default: return (ns.localizedDescription.firstLine, .failure)
    }
}
