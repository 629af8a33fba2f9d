/// The algorithms `slate rl train` knows.
public enum Algorithm: String, CaseIterable, Sendable {
    case ppo, dqn, reinforce
}
