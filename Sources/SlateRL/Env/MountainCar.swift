import Foundation

/// MountainCar-v0 (Moore 1990) with Gymnasium 1.4.0's dynamics in Double.
///
/// - Observation: float32 `[position, velocity]`.
/// - Actions: 0 accelerate left, 1 do nothing, 2 accelerate right.
/// - Reward: −1 every step.
/// - Terminated: `position >= 0.5 && velocity >= 0`. Truncated: 200 steps.
/// - Reset: position uniform in `[-0.6, -0.4)`, velocity 0.
public final class MountainCar: StatefulEnvironment {
    public static let id = "MountainCar-v0"
    public var id: String { MountainCar.id }

    public let minPosition = -1.2
    public let maxPosition = 0.6
    public let maxSpeed = 0.07
    public let goalPosition = 0.5
    let goalVelocity = 0.0
    let force = 0.001
    let gravity = 0.0025

    public let observationSpace: BoxSpace
    public let actionSpace = DiscreteSpace(3)
    public let stateFields = ["position", "velocity"]

    private var position = 0.0, velocity = 0.0
    private var clock: EpisodeClock

    /// A MountainCar with Gymnasium's time limit (pass `nil` for none).
    public init(maxEpisodeSteps: Int? = 200) {
        clock = EpisodeClock(maxEpisodeSteps: maxEpisodeSteps)
        observationSpace = BoxSpace(low: [Float(minPosition), Float(-maxSpeed)],
                                    high: [Float(maxPosition), Float(maxSpeed)])
    }

    public var maxEpisodeSteps: Int? { clock.maxEpisodeSteps }
    public var elapsedSteps: Int { clock.elapsedSteps }

    public var state: [Double] {
        get { [position, velocity] }
        set {
            precondition(newValue.count == 2, "MountainCar state has 2 values \(stateFields)")
            position = newValue[0]; velocity = newValue[1]
        }
    }

    public func observe(into observation: UnsafeMutableBufferPointer<Float>) {
        observation[0] = Float(position)
        observation[1] = Float(velocity)
    }

    public func reset(seed: UInt64?, into observation: UnsafeMutableBufferPointer<Float>) -> StepInfo {
        clock.reset(seed: seed)
        position = clock.rng.uniform(-0.6, -0.4)
        velocity = 0
        observe(into: observation)
        return StepInfo()
    }

    public func step(_ action: Int, into observation: UnsafeMutableBufferPointer<Float>) -> Transition {
        precondition(actionSpace.contains(action), "MountainCar action must be 0, 1 or 2, got \(action)")
        let truncated = clock.tick()
        velocity = velocity + (Double(action - 1) * force + cos(3 * position) * (-gravity))
        velocity = min(max(velocity, -maxSpeed), maxSpeed)
        position = position + velocity
        position = min(max(position, minPosition), maxPosition)
        if position == minPosition && velocity < 0 { velocity = 0 }
        let terminated = position >= goalPosition && velocity >= goalVelocity
        observe(into: observation)
        return Transition(reward: -1.0, terminated: terminated, truncated: truncated)
    }

    /// The valley `y = sin(3x)` drawn in text, with the car and the flag.
    public func render() -> String {
        TextFrames.mountainCar(position: position, velocity: velocity, minPosition: minPosition,
                               maxPosition: maxPosition, goalPosition: goalPosition,
                               step: elapsedSteps)
    }
}

extension MountainCar: ResumableEnvironment {
    /// `[position, velocity]` and the clock.
    public func snapshot() -> EnvironmentSnapshot { clock.snapshot(id: id, values: state) }

    public func restore(_ snapshot: EnvironmentSnapshot) throws {
        try snapshot.check(id: id, count: 2)
        try clock.restore(snapshot)
        state = snapshot.values
    }
}
