import Foundation

/// Acrobot-v1 (Sutton 1996) with Gymnasium 1.4.0's dynamics in Double: the "book" equations
/// integrated by one classical RK4 step of `dt = 0.2`, angles wrapped into `[-π, π]`, angular
/// velocities bounded to `±4π` and `±9π`.
///
/// - Observation: float32 `[cos θ1, sin θ1, cos θ2, sin θ2, dθ1, dθ2]`.
/// - Actions: torque −1, 0, +1 on the joint between the links for actions 0, 1, 2.
/// - Reward: −1 per step, 0 on the terminating step.
/// - Terminated: the tip is higher than one link above the pivot, `-cos θ1 - cos(θ1+θ2) > 1`.
///   Truncated: 500 steps.
/// - Reset: every state variable uniform in `[-0.1, 0.1)`, rounded to float32 (as Gymnasium).
public final class Acrobot: StatefulEnvironment {
    public static let id = "Acrobot-v1"
    public var id: String { Acrobot.id }

    let dt = 0.2
    let linkLength1 = 1.0, linkLength2 = 1.0
    let linkMass1 = 1.0, linkMass2 = 1.0
    let linkCOMPos1 = 0.5, linkCOMPos2 = 0.5
    let linkMOI = 1.0
    let maxVel1 = 4 * Double.pi
    let maxVel2 = 9 * Double.pi
    let availableTorque = [-1.0, 0.0, 1.0]

    public let observationSpace: BoxSpace
    public let actionSpace = DiscreteSpace(3)
    public let stateFields = ["theta1", "theta2", "dtheta1", "dtheta2"]

    /// `(θ1, θ2, dθ1, dθ2)`.
    private var s: SIMD4<Double> = .zero
    private var clock: EpisodeClock

    /// An Acrobot with Gymnasium's time limit (pass `nil` for none).
    public init(maxEpisodeSteps: Int? = 500) {
        clock = EpisodeClock(maxEpisodeSteps: maxEpisodeSteps)
        let high: [Float] = [1, 1, 1, 1, Float(maxVel1), Float(maxVel2)]
        observationSpace = BoxSpace(low: high.map { -$0 }, high: high)
    }

    public var maxEpisodeSteps: Int? { clock.maxEpisodeSteps }
    public var elapsedSteps: Int { clock.elapsedSteps }

    public var state: [Double] {
        get { [s[0], s[1], s[2], s[3]] }
        set {
            precondition(newValue.count == 4, "Acrobot state has 4 values \(stateFields)")
            s = SIMD4(newValue[0], newValue[1], newValue[2], newValue[3])
        }
    }

    public func observe(into observation: UnsafeMutableBufferPointer<Float>) {
        observation[0] = Float(cos(s[0])); observation[1] = Float(sin(s[0]))
        observation[2] = Float(cos(s[1])); observation[3] = Float(sin(s[1]))
        observation[4] = Float(s[2]); observation[5] = Float(s[3])
    }

    public func reset(seed: UInt64?, into observation: UnsafeMutableBufferPointer<Float>) -> StepInfo {
        clock.reset(seed: seed)
        for i in 0..<4 { s[i] = Double(Float(clock.rng.uniform(-0.1, 0.1))) }
        observe(into: observation)
        return StepInfo()
    }

    public func step(_ action: Int, into observation: UnsafeMutableBufferPointer<Float>) -> Transition {
        precondition(actionSpace.contains(action), "Acrobot action must be 0, 1 or 2, got \(action)")
        let truncated = clock.tick()
        let torque = availableTorque[action]
        // One RK4 step over [0, dt]; the torque is constant over the step.
        let dt2 = dt / 2.0
        let k1 = derivatives(s, torque: torque)
        let k2 = derivatives(s + dt2 * k1, torque: torque)
        let k3 = derivatives(s + dt2 * k2, torque: torque)
        let k4 = derivatives(s + dt * k3, torque: torque)
        var ns = s + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        ns[0] = Acrobot.wrap(ns[0], -Double.pi, Double.pi)
        ns[1] = Acrobot.wrap(ns[1], -Double.pi, Double.pi)
        ns[2] = min(max(ns[2], -maxVel1), maxVel1)
        ns[3] = min(max(ns[3], -maxVel2), maxVel2)
        s = ns
        let terminated = -cos(s[0]) - cos(s[1] + s[0]) > 1.0
        observe(into: observation)
        return Transition(reward: terminated ? 0.0 : -1.0, terminated: terminated, truncated: truncated)
    }

    /// Time derivative of `(θ1, θ2, dθ1, dθ2)` under `torque`: the book's equations, written in
    /// Gymnasium's operation order so the Double results agree to the last bit.
    func derivatives(_ y: SIMD4<Double>, torque a: Double) -> SIMD4<Double> {
        let m1 = linkMass1, m2 = linkMass2, l1 = linkLength1
        let lc1 = linkCOMPos1, lc2 = linkCOMPos2, I1 = linkMOI, I2 = linkMOI
        let g = 9.8
        let theta1 = y[0], theta2 = y[1], dtheta1 = y[2], dtheta2 = y[3]
        let cos2 = cos(theta2), sin2 = sin(theta2)
        let d1 = m1 * (lc1 * lc1) + m2 * ((l1 * l1) + (lc2 * lc2) + 2 * l1 * lc2 * cos2) + I1 + I2
        let d2 = m2 * ((lc2 * lc2) + l1 * lc2 * cos2) + I2
        let phi2 = m2 * lc2 * g * cos(theta1 + theta2 - Double.pi / 2.0)
        let phi1 = -m2 * l1 * lc2 * LibmPow.square(dtheta2) * sin2
            - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin2
            + (m1 * lc1 + m2 * l1) * g * cos(theta1 - Double.pi / 2)
            + phi2
        let ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * LibmPow.square(dtheta1) * sin2 - phi2)
            / (m2 * (lc2 * lc2) + I2 - LibmPow.square(d2) / d1)
        let ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
        return SIMD4(dtheta1, dtheta2, ddtheta1, ddtheta2)
    }

    /// Wraps `x` into `[m, M]` by whole turns, as Gymnasium's `wrap`.
    static func wrap(_ x: Double, _ m: Double, _ M: Double) -> Double {
        let diff = M - m
        var x = x
        while x > M { x = x - diff }
        while x < m { x = x + diff }
        return x
    }

    /// The two links seen from the front, pivot in the middle, with the goal line above.
    public func render() -> String {
        TextFrames.acrobot(theta1: s[0], theta2: s[1], step: elapsedSteps)
    }
}

/// `x ** 2` as numpy computes it for a float64 scalar: libm's `pow(x, 2.0)`, which is off from the
/// correctly rounded `x * x` by one ulp for about 1 input in 1,250. Gymnasium's Acrobot squares
/// with `**`, so matching its trajectories bit for bit needs libm's answer. The compiler rewrites
/// a visible `pow(x, 2)` into `x * x`, so the function is looked up at run time and called
/// through a pointer it cannot see into.
enum LibmPow {
    typealias Function = @convention(c) (Double, Double) -> Double
    static let function: Function = {
        if let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "pow") {
            return unsafeBitCast(symbol, to: Function.self)
        }
        return { base, exponent in Foundation.pow(base, exponent) }
    }()

    @inline(__always) static func square(_ x: Double) -> Double { function(x, 2) }
}

extension Acrobot: ResumableEnvironment {
    /// `[theta1, theta2, dtheta1, dtheta2]` and the clock.
    public func snapshot() -> EnvironmentSnapshot { clock.snapshot(id: id, values: state) }

    public func restore(_ snapshot: EnvironmentSnapshot) throws {
        try snapshot.check(id: id, count: 4)
        try clock.restore(snapshot)
        state = snapshot.values
    }
}
