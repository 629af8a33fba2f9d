import Foundation

/// Thrown when a policy checkpoint cannot be loaded.
public struct PolicyCheckpointError: Error, CustomStringConvertible, LocalizedError {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }
}

/// Loads a trained policy for `env` from a checkpoint file (`slate rl play --checkpoint`).
///
/// The agents (Sources/SlateRL/Agents) plug their checkpoint formats in here; until one exists,
/// every checkpoint is reported as not yet supported.
public func loadPolicy(checkpoint path: String, for env: any Environment) throws -> any Policy {
    guard FileManager.default.fileExists(atPath: path) else {
        throw PolicyCheckpointError("no checkpoint at \(path); train one with `slate rl train --out DIR` or omit --checkpoint for a random policy")
    }
    throw PolicyCheckpointError("loading policies from checkpoints is not yet supported (\(path)); omit --checkpoint to play a random policy")
}
