import Foundation

/// Thrown by `makeEnvironment(id:)` for a name it does not know.
public struct UnknownEnvironmentError: Error, CustomStringConvertible, LocalizedError {
    /// The id that was asked for.
    public let id: String
    /// The ids that exist.
    public let validIDs: [String]

    public var description: String {
        "unknown environment '\(id)'; valid ids: \(validIDs.joined(separator: ", "))"
    }
    public var errorDescription: String? { description }
}

/// The environments SlateRL knows by Gymnasium id, each with its built-in time limit.
public enum EnvironmentRegistry {
    /// Every id `makeEnvironment(id:)` accepts.
    public static let ids = [CartPole.id, MountainCar.id, Acrobot.id, GridWorld.id]

    /// A fresh environment for `id` (not yet reset), with its default time limit;
    /// `maxEpisodeSteps` overrides the limit when given.
    public static func make(id: String, maxEpisodeSteps: Int? = nil) throws -> any Environment {
        try entry(id: id, maxEpisodeSteps: maxEpisodeSteps).make()
    }

    /// The factory of `id` and Gymnasium's `reward_threshold` for it; the one list of built-ins.
    static func entry(id: String, maxEpisodeSteps: Int? = nil) throws
        -> (make: @Sendable () -> any Environment, solvedThreshold: Double?) {
        switch id {
        case CartPole.id: return ({ CartPole(maxEpisodeSteps: maxEpisodeSteps ?? 500) }, 475)
        case MountainCar.id: return ({ MountainCar(maxEpisodeSteps: maxEpisodeSteps ?? 200) }, -110)
        case Acrobot.id: return ({ Acrobot(maxEpisodeSteps: maxEpisodeSteps ?? 500) }, -100)
        case GridWorld.id: return ({ GridWorld(maxEpisodeSteps: maxEpisodeSteps ?? 100) }, nil)
        default: throw UnknownEnvironmentError(id: id, validIDs: ids)
        }
    }
}

/// A fresh environment for a Gymnasium-style id such as `"CartPole-v1"`, as `gymnasium.make`.
/// Throws `UnknownEnvironmentError` (listing the valid ids) for any other name.
public func makeEnvironment(id: String) throws -> any Environment {
    try EnvironmentRegistry.make(id: id)
}
