import Benchmark
import Slate
import SlateRL

/// CartPole physics (10k steps, resetting at episode ends) and one PPO iteration.
func reinforcementLearningBenchmarks() {
    Benchmark("CartPole-10k-steps", configuration: configuration()) { benchmark in
        let env = CartPole()
        var observation = [Float](repeating: 0, count: 4)
        var total = 0.0
        observation.withUnsafeMutableBufferPointer { obs in
            _ = env.reset(seed: 1, into: obs)
            benchmark.startMeasurement()
            for _ in 0..<10_000 {
                // Push the cart towards the side the pole leans to (a fair, branchy policy).
                let transition = env.step(obs[2] + obs[3] > 0 ? 1 : 0, into: obs)
                total += transition.reward
                if transition.done { _ = env.reset(seed: nil, into: obs) }
            }
        }
        blackHole(total)
    }

    // One iteration of CleanRL's PPO on CartPole-v1 at its default configuration:
    // a 4 × 128-step rollout, then 4 epochs × 4 minibatches of clipped-surrogate updates.
    Benchmark("PPO-iteration-CartPole", configuration: configuration(seconds: 3, iterations: 20)) { benchmark in
        let config = PPOConfig()
        guard let trainer = try? PPOTrainer(
            settings: RunSettings(environmentID: "CartPole-v1", totalSteps: config.batchSize, seed: 1),
            config: config) else {
            benchmark.error("PPOTrainer could not be built for CartPole-v1")
            return
        }
        benchmark.startMeasurement()
        var events = 0
        trainer.train { _ in events += 1 }
        blackHole(events)
    }
}
