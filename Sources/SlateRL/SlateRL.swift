// SlateRL is reinforcement learning on the Slate engine. Map of the module:
//
// - `Env/`: the environment API in Gymnasium's shape — `Environment` (`reset(seed:)`,
//   `step(_:)` → `StepResult` with `terminated` and `truncated` kept apart), `DiscreteSpace`,
//   `BoxSpace`, the registry `makeEnvironment(id:)`; CartPole-v1, MountainCar-v0 and Acrobot-v1
//   with Gymnasium 1.4.0's dynamics (bit-exact replays of its trajectories), a text `GridWorld`;
//   `SyncVectorEnv` with same-step auto-reset and `finalObservations`; `EpisodeStatistics` and
//   `RecordEpisodeStatistics` (resets draw from the engine's `RandomGenerator`); text frames from `render()`.
// - `Policy.swift`: the `Policy` protocol (`act(observation:) -> Int`), `RandomPolicy`,
//   `runEpisode`. `PolicyLoading.swift`: checkpoint → policy for `slate rl play`.
// - `Bandits/`: k-armed and linear contextual bandits, ε-greedy, UCB1, Thompson sampling,
//   LinUCB, and `BanditRunner` for averaged reward and regret curves.
// - `Agents/`: PPO, DQN and REINFORCE on top of the vector env.
