import Foundation
import Slate

/// Everything that can go wrong while locating or parsing a graph dataset.
/// Each message names the file (and line, when there is one) and says what to do.
public enum GraphDataError: Error, CustomStringConvertible, Equatable {
    /// The dataset folder or one of its required files does not exist.
    case missingDataset(name: String, directory: String, missingFile: String)
    /// A line could not be parsed (ragged line, non-number, id out of range ...).
    case malformed(file: String, line: Int, reason: String)
    /// Two files disagree (e.g. graph_indicator has fewer lines than there are nodes).
    case inconsistent(file: String, reason: String)
    /// A request the dataset cannot satisfy (e.g. more folds than samples of a class).
    case invalidArgument(String)

    public var description: String { oneLine(text) }

    private var text: String {
        switch self {
        case let .missingDataset(name, directory, missingFile):
            return "dataset '\(name)' not found: expected \(missingFile) in \(directory). "
                + "Put the dataset files there (same layout as ../shared/data, see data/README.md) "
                + "or run `make data` (scripts/fetch-graph-data.sh) to download them; "
                + "set SLATE_DATA to use another data directory."
        case let .malformed(file, line, reason):
            return "\(file):\(line): \(reason)"
        case let .inconsistent(file, reason):
            return "\(file): \(reason)"
        case let .invalidArgument(reason):
            return reason
        }
    }
}

extension GraphDataError: LocalizedError {
    public var errorDescription: String? { description }
}
