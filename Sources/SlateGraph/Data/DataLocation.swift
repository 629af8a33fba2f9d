import Foundation

/// Where datasets live: `$SLATE_DATA` (default `./data`), with the layout of ../shared/data:
/// `tu/NAME/NAME_*.txt`, `cora/{nodes,edges,split}.tsv`, `karate/{edges,labels}.tsv`.
public enum DataLocation {
    /// The data root: `SLATE_DATA` from the environment, else `./data`.
    public static var root: URL {
        let env = ProcessInfo.processInfo.environment["SLATE_DATA"] ?? ""
        return URL(fileURLWithPath: env.isEmpty ? "./data" : env, isDirectory: true)
    }

    /// `url` if the file exists, else a `missingDataset` error telling where to put it.
    static func require(_ url: URL, dataset: String) throws -> URL {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw GraphDataError.missingDataset(name: dataset, directory: url.deletingLastPathComponent().path,
                                                missingFile: url.lastPathComponent)
        }
        return url
    }

    /// `url` if the file exists, else nil (optional files such as node_attributes).
    static func optional(_ url: URL) -> URL? {
        FileManager.default.fileExists(atPath: url.path) ? url : nil
    }
}
