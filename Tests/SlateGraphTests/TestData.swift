import Foundation
import XCTest
@testable import SlateGraph

/// Locates the shared test data: `$SLATE_DATA` when set, else `../shared/data` next to the package.
enum TestData {
    static var root: URL {
        if let env = ProcessInfo.processInfo.environment["SLATE_DATA"], !env.isEmpty,
           FileManager.default.fileExists(atPath: URL(fileURLWithPath: env).appendingPathComponent("tu").path) {
            return URL(fileURLWithPath: env)
        }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
    }

    /// The data folder `relative` under the root; a missing folder fails the test with a hint.
    static func require(_ relative: String) throws -> URL {
        let url = root.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw GraphDataError.invalidArgument("test data missing at \(url.path): set SLATE_DATA to the shared data folder")
        }
        return url
    }

    /// A fresh temporary directory for fixture files.
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slategraph-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
