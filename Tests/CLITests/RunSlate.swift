import Foundation
import XCTest

/// Output of one run of the built `slate` binary.
struct SlateRun {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Path of the `slate` executable built next to this test bundle.
func slateBinary() -> URL {
    var dir = Bundle.main.bundleURL
    #if os(macOS)  // Bundle.allBundles crashes in Swift 6.0.3's Linux Foundation; not needed there
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        dir = bundle.bundleURL.deletingLastPathComponent()
    }
    #endif
    if dir.pathExtension == "xctest" { dir = dir.deletingLastPathComponent() }
    return dir.appendingPathComponent("slate")
}

/// A `slate` process for `arguments`, with `environment` added to this process's, not started.
func slateProcess(_ arguments: [String], environment: [String: String]) -> Process {
    let process = Process()
    process.executableURL = slateBinary()
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    return process
}

/// Runs `slate` with `arguments` and returns its exit status and output.
func runSlate(_ arguments: [String], environment: [String: String] = [:]) throws -> SlateRun {
    let process = slateProcess(arguments, environment: environment)
    let outPipe = Pipe(), errPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    try process.run()
    // Read both pipes before waiting so a chatty child cannot fill a pipe and block.
    final class Box: @unchecked Sendable { var data = Data() }
    let err = Box()
    let reader = DispatchQueue(label: "stderr")
    reader.async { err.data = errPipe.fileHandleForReading.readDataToEndOfFile() }
    let outBytes = outPipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    reader.sync {}
    return SlateRun(status: process.terminationStatus,
                    stdout: String(decoding: outBytes, as: UTF8.self),
                    stderr: String(decoding: err.data, as: UTF8.self))
}

/// Starts `slate` with `arguments` without waiting for it (output discarded), for tests that
/// interrupt a run.
func startSlate(_ arguments: [String], environment: [String: String] = [:]) throws -> Process {
    let process = slateProcess(arguments, environment: environment)
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

/// One row of a table of bad inputs: the arguments, the sysexits status expected, and a piece
/// of the message that must appear.
struct BadInputCase {
    var arguments: [String]
    var status: Int32
    var message: String
    var line: UInt = #line
}

/// Runs every case and checks: the expected non-zero status, a single `Error: ` line on stderr
/// that contains the expected words, and no crash (no signal, no Swift runtime trap text).
func assertBadInputs(_ cases: [BadInputCase], environment: [String: String] = [:],
                     file: StaticString = #filePath) throws {
    for c in emulationSample(cases) {
        let run = try runSlate(c.arguments, environment: environment)
        let where_ = "slate \(c.arguments.joined(separator: " "))"
        XCTAssertEqual(run.status, c.status, "\(where_): \(run.stderr)", file: file, line: c.line)
        XCTAssertTrue(run.stderr.hasPrefix("Error: "), "\(where_): \(run.stderr)", file: file, line: c.line)
        let errorLines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("Error: ") }
        XCTAssertEqual(errorLines.count, 1, "\(where_): one error line: \(run.stderr)", file: file, line: c.line)
        XCTAssertTrue(run.stderr.localizedCaseInsensitiveContains(c.message), "\(where_): expected '\(c.message)' in: \(run.stderr)",
                      file: file, line: c.line)
        for trap in ["Fatal error", "Segmentation", "Illegal instruction", "Aborted", "Stack dump", "NSError", "DecodingError"] {
            XCTAssertFalse(run.stderr.contains(trap), "\(where_): crash signature '\(trap)': \(run.stderr)", file: file, line: c.line)
        }
    }
}

/// The cases a table-driven test runs: all of them, or under emulation (SLATE_TEST_SCALE < 1,
/// where every process start costs about a second) an even sample of about that fraction,
/// the first case always included.
func emulationSample<Case>(_ cases: [Case]) -> [Case] {
    let scale = Double(ProcessInfo.processInfo.environment["SLATE_TEST_SCALE"] ?? "") ?? 1
    guard scale < 1, scale > 0 else { return cases }
    let stride = max(1, Int((1 / scale).rounded()))
    return cases.enumerated().filter { $0.offset % stride == 0 }.map(\.element)
}

/// The kill-and-resume tests run natively only: under qemu-user (the aarch64 check, which sets
/// SLATE_TEST_SCALE < 1) a test process that SIGKILLs a child it started through Foundation's
/// `Process` was seen waiting forever for the child's exit. What they check — atomic checkpoint
/// replacement and bit-exact resume — is the same code on every architecture, and the library
/// resume tests still run under emulation.
func skipKillTestsUnderEmulation() throws {
    let scale = Double(ProcessInfo.processInfo.environment["SLATE_TEST_SCALE"] ?? "") ?? 1
    if scale < 1 { throw XCTSkip("kill-and-resume runs natively only (qemu-user hangs reaping a SIGKILLed child)") }
}
