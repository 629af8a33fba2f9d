import Foundation
import XCTest

/// The offline check of scripts/convert-planetoid.py: Planetoid pickles rebuilt from the shared
/// Cora files must convert back to the same bytes (needs python3 with numpy and scipy to *write*
/// the pickles; the converter itself needs neither).
final class DataScriptTests: XCTestCase {
    func testPlanetoidConverterRoundTrip() throws {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = packageRoot.appendingPathComponent("scripts/test-convert-planetoid.py")
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import numpy, scipy"]
        probe.standardError = FileHandle.nullDevice
        do { try probe.run(); probe.waitUntilExit() } catch { throw XCTSkip("python3 not available") }
        try XCTSkipIf(probe.terminationStatus != 0, "python3 with numpy and scipy is needed to write test pickles")

        let run = Process()
        run.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        run.arguments = ["python3", script.path, try TestData.require("cora").deletingLastPathComponent().path]
        let pipe = Pipe()
        run.standardOutput = pipe
        run.standardError = pipe
        try run.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.waitUntilExit()
        XCTAssertEqual(run.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("OK: round trip"), output)
    }
}
