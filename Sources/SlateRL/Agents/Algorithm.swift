/// The algorithms `slate rl train` knows.
public enum Algorithm: String, CaseIterable {
    case ppo, dqn, reinforce
}
