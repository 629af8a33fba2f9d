import Foundation
import Slate

/// Thrown when a policy checkpoint cannot be loaded.
public struct PolicyCheckpointError: Error, CustomStringConvertible, LocalizedError {
    public let message: String
    public init(_ message: String) { self.message = oneLine(message) }
    public var description: String { message }
    public var errorDescription: String? { message }
}

/// Loads a trained policy for `env` from a checkpoint file (`slate rl play --checkpoint`).
///
/// Reads a `PolicyCheckpoint` written by `slate rl train` (any of its algorithms) and checks it
/// was trained on `env` with the same observation and action sizes.
public func loadPolicy(checkpoint path: String, for env: any Environment) throws -> any Policy {
    guard FileManager.default.fileExists(atPath: path) else {
        throw PolicyCheckpointError("no checkpoint at \(path); train one with `slate rl train --out DIR` or omit --checkpoint for a random policy")
    }
    let policy = try PolicyCheckpoint.load(from: URL(fileURLWithPath: path), environmentID: env.id)
    guard policy.observationSize == env.observationSpace.flatDimension, policy.actionCount == env.actionSpace.n else {
        throw PolicyCheckpointError("\(path) expects \(policy.observationSize) observations and \(policy.actionCount) actions; \(env.id) has \(env.observationSpace.flatDimension) and \(env.actionSpace.n)")
    }
    return policy
}
