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

/// Runs `slate` with `arguments` and returns its exit status and output.
func runSlate(_ arguments: [String], environment: [String: String] = [:]) throws -> SlateRun {
    let process = Process()
    process.executableURL = slateBinary()
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
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
