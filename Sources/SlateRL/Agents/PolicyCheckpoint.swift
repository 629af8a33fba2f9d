import Foundation
import Slate

/// Policy checkpoints: a safetensors file holding a trained agent's parameters under CleanRL's
/// names (`actor.*`/`critic.*` for PPO and REINFORCE, `network.*` for DQN) and, in
/// `__metadata__`, everything needed to rebuild the acting network without the training code:
///
/// | key               | example         |
/// |-------------------|-----------------|
/// | `format`          | `slate-rl-policy` |
/// | `format_version`  | `1`             |
/// | `env_id`          | `CartPole-v1`   |
/// | `algo`            | `ppo`           |
/// | `obs_size`        | `4`             |
/// | `action_count`    | `2`             |
/// | `hidden_sizes`    | `64,64`         |
/// | `activation`      | `tanh`          |
/// | `policy_prefix`   | `actor`         |
public enum PolicyCheckpoint {
    public static let format = "slate-rl-policy"
    public static let formatVersion = "1"

    /// The parameter-name prefix of the acting network for `algorithm`.
    public static func policyPrefix(for algorithm: Algorithm) -> String {
        algorithm == .dqn ? "network" : "actor"
    }

    /// Writes `module`'s parameters with the metadata of `policy` (atomically).
    public static func write(module: Module, policy: GreedyNetworkPolicy, to url: URL,
                             extraMetadata: [String: String] = [:]) throws {
        var metadata = extraMetadata
        metadata["format"] = format
        metadata["format_version"] = formatVersion
        metadata["env_id"] = policy.environmentID
        metadata["algo"] = policy.algorithm.rawValue
        metadata["obs_size"] = "\(policy.observationSize)"
        metadata["action_count"] = "\(policy.actionCount)"
        metadata["hidden_sizes"] = policy.hiddenSizes.map(String.init).joined(separator: ",")
        metadata["activation"] = policy.activation.rawValue
        metadata["policy_prefix"] = policyPrefix(for: policy.algorithm)
        try module.save(to: url, metadata: metadata)
    }

    /// Largest accepted observation, hidden or action size in a checkpoint's metadata.
    public static let maxLayerWidth = 1 << 20

    /// Rebuilds the greedy policy stored at `url`. When `environmentID` is given, the checkpoint
    /// must have been trained on it. Throws `PolicyCheckpointError` saying what is wrong.
    public static func load(from url: URL, environmentID: String? = nil) throws -> GreedyNetworkPolicy {
        let file: SafeTensorsFile
        do { file = try SafeTensors.read(from: url) } catch {
            throw PolicyCheckpointError("cannot read policy checkpoint \(url.path): \(error)")
        }
        let meta = file.metadata
        func field(_ key: String) throws -> String {
            guard let v = meta[key] else {
                throw PolicyCheckpointError("\(url.path) has no '\(key)' in its metadata; is it a policy saved by `slate rl train`?")
            }
            return v
        }
        guard try field("format") == format else {
            throw PolicyCheckpointError("\(url.path) is a '\(meta["format"] ?? "")' checkpoint, not a \(format) one; pass a policy written by `slate rl train`")
        }
        guard try field("format_version") == formatVersion else {
            throw PolicyCheckpointError("\(url.path) has policy format version \(meta["format_version"] ?? ""); this build reads version \(formatVersion)")
        }
        do { try file.checkFinite() } catch { throw PolicyCheckpointError("\(error)") }
        let env = try field("env_id")
        if let environmentID, environmentID != env {
            throw PolicyCheckpointError("\(url.path) was trained on \(env), not \(environmentID); pass --env \(env)")
        }
        guard let algorithm = Algorithm(rawValue: try field("algo")),
              let obsSize = Int(try field("obs_size")), obsSize > 0,
              let actionCount = Int(try field("action_count")), actionCount > 0,
              let activation = ActivationKind(rawValue: try field("activation")) else {
            throw PolicyCheckpointError("\(url.path) has malformed metadata (algo '\(meta["algo"] ?? "")', obs_size '\(meta["obs_size"] ?? "")', action_count '\(meta["action_count"] ?? "")', activation '\(meta["activation"] ?? "")'); save the policy again with `slate rl train`")
        }
        let hiddenText = try field("hidden_sizes")
        let hidden = hiddenText.isEmpty ? [] : hiddenText.split(separator: ",").compactMap { Int($0) }
        guard hidden.allSatisfy({ $0 > 0 }),
              hidden.count == (hiddenText.isEmpty ? 0 : hiddenText.split(separator: ",").count) else {
            throw PolicyCheckpointError("\(url.path) has malformed hidden_sizes '\(hiddenText)'")
        }
        let sizes = [obsSize] + hidden + [actionCount]
        guard sizes.allSatisfy({ $0 <= maxLayerWidth }), hidden.count <= 64 else {
            throw PolicyCheckpointError("\(url.path) describes a network of sizes \(sizes); each size must be at most \(maxLayerWidth) and there may be at most 64 hidden layers, so the metadata is corrupt")
        }
        do {
            var weights = 0
            for (a, b) in zip(sizes, sizes.dropFirst()) {
                weights = try MemoryBudget.sum([weights, MemoryBudget.product([a + 1, b, 4], what: "the policy network")], what: "the policy network")
            }
            try MemoryBudget.check(bytes: weights, what: "the policy network \(sizes)")
        } catch { throw PolicyCheckpointError("\(url.path): \(error)") }
        let prefix = try field("policy_prefix") + "."
        var state: [String: Tensor] = [:]
        for (name, tensor) in file.tensors where name.hasPrefix(prefix) {
            state[String(name.dropFirst(prefix.count))] = tensor
        }
        var rng = RandomGenerator(seed: 0)
        let network = MLP(sizes: [obsSize] + hidden + [actionCount], activation: activation, generator: &rng)
        do { try network.loadStateDict(state) } catch {
            throw PolicyCheckpointError("\(url.path): \(error)")
        }
        return GreedyNetworkPolicy(network: network, environmentID: env, algorithm: algorithm,
                                   hiddenSizes: hidden, activation: activation)
    }
}
