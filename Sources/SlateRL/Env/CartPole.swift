import Foundation

/// CartPole-v1 (Barto, Sutton & Anderson 1983) with Gymnasium 1.4.0's dynamics in Double:
/// explicit Euler with `tau = 0.02`, force ±10 N, pole half-length 0.5 m.
///
/// - Observation: float32 `[x, x_dot, theta, theta_dot]` (the state cast to float).
/// - Actions: 0 pushes the cart left, 1 pushes it right.
/// - Reward: +1 every step, including the terminating one (0 for steps taken after termination).
/// - Terminated: `|x| > 2.4` or `|theta| > 12°`. Truncated: 500 steps.
/// - Reset: every state variable uniform in `[-0.05, 0.05)`.
public final class CartPole: StatefulEnvironment {
    public static let id = "CartPole-v1"
    public var id: String { CartPole.id }

    // Physical constants, named as in Gymnasium so the formulas read the same.
    let gravity = 9.8
    let masscart = 1.0
    let masspole = 0.1
    var totalMass: Double { masspole + masscart }
    let length = 0.5  // half the pole's length
    var polemassLength: Double { masspole * length }
    let forceMag = 10.0
    let tau = 0.02
    /// Pole angle beyond which the episode terminates: 12 degrees in radians.
    public let thetaThresholdRadians = 12 * 2 * Double.pi / 360
    /// Cart position beyond which the episode terminates.
    public let xThreshold = 2.4

    public let observationSpace: BoxSpace
    public let actionSpace = DiscreteSpace(2)
    public let stateFields = ["x", "x_dot", "theta", "theta_dot"]

    private var x = 0.0, xDot = 0.0, theta = 0.0, thetaDot = 0.0
    private var clock: EpisodeClock
    private var stepsBeyondTerminated: Int?

    /// A CartPole with Gymnasium's time limit (pass `nil` for none).
    public init(maxEpisodeSteps: Int? = 500) {
        clock = EpisodeClock(maxEpisodeSteps: maxEpisodeSteps)
        let big = Float.greatestFiniteMagnitude
        let high: [Float] = [Float(xThreshold * 2), big, Float(thetaThresholdRadians * 2), big]
        observationSpace = BoxSpace(low: high.map { -$0 }, high: high)
    }

    public var maxEpisodeSteps: Int? { clock.maxEpisodeSteps }
    public var elapsedSteps: Int { clock.elapsedSteps }

    public var state: [Double] {
        get { [x, xDot, theta, thetaDot] }
        set {
            precondition(newValue.count == 4, "CartPole state has 4 values \(stateFields)")
            x = newValue[0]; xDot = newValue[1]; theta = newValue[2]; thetaDot = newValue[3]
        }
    }

    public func observe(into observation: UnsafeMutableBufferPointer<Float>) {
        observation[0] = Float(x); observation[1] = Float(xDot)
        observation[2] = Float(theta); observation[3] = Float(thetaDot)
    }

    public func reset(seed: UInt64?, into observation: UnsafeMutableBufferPointer<Float>) -> StepInfo {
        clock.reset(seed: seed)
        x = clock.rng.uniform(-0.05, 0.05)
        xDot = clock.rng.uniform(-0.05, 0.05)
        theta = clock.rng.uniform(-0.05, 0.05)
        thetaDot = clock.rng.uniform(-0.05, 0.05)
        stepsBeyondTerminated = nil
        observe(into: observation)
        return StepInfo()
    }

    public func step(_ action: Int, into observation: UnsafeMutableBufferPointer<Float>) -> Transition {
        precondition(actionSpace.contains(action), "CartPole action must be 0 or 1, got \(action)")
        let truncated = clock.tick()
        let force = action == 1 ? forceMag : -forceMag
        let costheta = cos(theta)
        let sintheta = sin(theta)
        // Same operation order as Gymnasium, so the Double results agree to the last bit.
        let temp = (force + polemassLength * (thetaDot * thetaDot) * sintheta) / totalMass
        let thetaacc = (gravity * sintheta - costheta * temp)
            / (length * (4.0 / 3.0 - masspole * (costheta * costheta) / totalMass))
        let xacc = temp - polemassLength * thetaacc * costheta / totalMass
        x = x + tau * xDot
        xDot = xDot + tau * xacc
        theta = theta + tau * thetaDot
        thetaDot = thetaDot + tau * thetaacc

        let terminated = x < -xThreshold || x > xThreshold
            || theta < -thetaThresholdRadians || theta > thetaThresholdRadians
        var reward = 1.0
        if terminated {
            if let beyond = stepsBeyondTerminated {
                stepsBeyondTerminated = beyond + 1
                reward = 0.0  // stepping a finished episode: undefined in Gymnasium, reward 0
            } else {
                stepsBeyondTerminated = 0
            }
        }
        observe(into: observation)
        return Transition(reward: reward, terminated: terminated, truncated: truncated)
    }

    /// A cart on a track with its pole, about 8 lines × 61 columns; the track spans x in ±2.4.
    public func render() -> String {
        TextFrames.cartPole(x: x, theta: theta, xThreshold: xThreshold, step: elapsedSteps)
    }
}

extension CartPole: ResumableEnvironment {
    /// `[x, x_dot, theta, theta_dot, steps_beyond_terminated (-1: none)]` and the clock.
    public func snapshot() -> EnvironmentSnapshot {
        clock.snapshot(id: id, values: [x, xDot, theta, thetaDot, Double(stepsBeyondTerminated ?? -1)])
    }

    public func restore(_ snapshot: EnvironmentSnapshot) throws {
        try snapshot.check(id: id, count: 5)
        let v = snapshot.values
        guard let beyond = Int(exactly: v[4]), beyond >= -1 else {
            throw EnvironmentSnapshotError("a saved CartPole state has an invalid step count \(v[4])")
        }
        try clock.restore(snapshot)
        (x, xDot, theta, thetaDot) = (v[0], v[1], v[2], v[3])
        stepsBeyondTerminated = beyond < 0 ? nil : beyond
    }
}
