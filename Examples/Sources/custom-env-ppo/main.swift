// Your own environment with PPO: a corridor the agent must learn to walk to the right end of.
import Slate
import SlateRL

/// Positions 0..<length; start at 0; action 0 steps left, 1 steps right. Reaching the right end
/// ends the episode with +1; every other step costs 0.01: the best return is 1 − 0.01·(length − 2).
final class Corridor: Environment {
    let length: Int
    let id = "Corridor-v0"
    let actionSpace = DiscreteSpace(2)
    var observationSpace: BoxSpace { BoxSpace(low: Array(repeating: 0, count: length), high: Array(repeating: 1, count: length)) }
    var maxEpisodeSteps: Int? { clock.maxEpisodeSteps }
    var elapsedSteps: Int { clock.elapsedSteps }
    private var clock = EpisodeClock(maxEpisodeSteps: 50)          // step counter + time limit
    private var position = 0

    init(length: Int) { self.length = length }

    func reset(seed: UInt64?, into observation: UnsafeMutableBufferPointer<Float>) -> StepInfo {
        clock.reset(seed: seed)
        position = 0
        observe(into: observation)
        return StepInfo()
    }

    func step(_ action: Int, into observation: UnsafeMutableBufferPointer<Float>) -> Transition {
        position = max(0, min(length - 1, position + (action == 1 ? 1 : -1)))
        let truncated = clock.tick()
        let arrived = position == length - 1
        observe(into: observation)
        return Transition(reward: arrived ? 1 : -0.01, terminated: arrived, truncated: truncated)
    }

    func render() -> String { String((0..<length).map { $0 == position ? "A" : "." }) }

    private func observe(into observation: UnsafeMutableBufferPointer<Float>) {
        for i in 0..<length { observation[i] = i == position ? 1 : 0 }   // one-hot position
    }
}

let length = 8
let spec = EnvironmentSpec(solvedThreshold: 0.9) { Corridor(length: length) }
var config = PPOConfig()
config.numSteps = 64
config.learningRate = 2.5e-3
let trainer = try PPOTrainer(settings: RunSettings(environment: spec, totalSteps: 16_384, seed: 1), config: config)
var episodes = 0
try trainer.train { if case .episode = $0 { episodes += 1 } }
let greedy = try evaluate(policy: trainer.greedyPolicy, environment: spec, episodes: 5, seed: 11)
let best = 1 - 0.01 * Double(length - 2)
print("\(episodes) training episodes")
print("greedy return \(greedy[0].episodicReturn) in \(greedy[0].length) steps (best \(best) in \(length - 1))")
