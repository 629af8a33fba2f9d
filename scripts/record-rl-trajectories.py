#!/usr/bin/env python3
"""Record Gymnasium classic-control reference trajectories for Slate's conformance tests.

The trajectories' public home is Gymnasium itself: this script regenerates the files of
`$SLATE_DATA/rl/` (same format as the shared reference set) from `pip install gymnasium==1.4.0`.
Other seeds make other recordings, which the replay test must pass just the same:

    python3 scripts/record-rl-trajectories.py OUT_DIR [--seeds 0,1,2,3,4] [--envs CartPole-v1,...]

Each episode: env.reset(seed=s), then actions from random.Random(s).randint(0, n-1) until
terminated or truncated. Observations are float32 written as the exactly equal double; states are
float64 in repr form (shortest round trip).
"""
import argparse
import json
import os
import platform
import random
import sys

import gymnasium as gym
import numpy as np

ENVS = {
    "CartPole-v1": ("cartpole_v1_trajectories.json", ["x", "x_dot", "theta", "theta_dot"],
                    ["x", "x_dot", "theta", "theta_dot"], [0, 1, 2, 3, 4]),
    "MountainCar-v0": ("mountaincar_v0_trajectories.json", ["position", "velocity"],
                       ["position", "velocity"], [0, 1, 2]),
    "Acrobot-v1": ("acrobot_v1_trajectories.json", ["theta1", "theta2", "dtheta1", "dtheta2"],
                   ["cos_theta1", "sin_theta1", "cos_theta2", "sin_theta2", "dtheta1", "dtheta2"], [0, 1, 2]),
}


def floats(values):
    return [float(v) for v in np.asarray(values).tolist()]


def record(env_id, seed):
    env = gym.make(env_id)
    obs, _ = env.reset(seed=seed)
    state = np.asarray(env.unwrapped.state)
    episode = {
        "seed": seed, "action_seed": seed,
        "initial_state": floats(state), "initial_state_dtype": str(state.dtype),
        "initial_observation": floats(np.asarray(obs, dtype=np.float32).astype(np.float64)),
    }
    rng = random.Random(seed)
    steps, total = [], 0.0
    while True:
        action = rng.randint(0, env.action_space.n - 1)
        obs, reward, terminated, truncated, _ = env.step(action)
        total += float(reward)
        steps.append({
            "action": action,
            "observation": floats(np.asarray(obs, dtype=np.float32).astype(np.float64)),
            "state": floats(np.asarray(env.unwrapped.state, dtype=np.float64)),
            "reward": float(reward), "terminated": bool(terminated), "truncated": bool(truncated),
        })
        if terminated or truncated:
            break
    episode.update(length=len(steps), total_reward=total, steps=steps)
    return episode, env


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--seeds", help="comma-separated seeds (default: the shared set's seeds)")
    parser.add_argument("--envs", default=",".join(ENVS))
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    for env_id in args.envs.split(","):
        if env_id not in ENVS:
            sys.exit(f"unknown env {env_id!r}; choose from {', '.join(ENVS)}")
        name, state_fields, obs_fields, default_seeds = ENVS[env_id]
        seeds = [int(s) for s in args.seeds.split(",")] if args.seeds else default_seeds
        episodes, env = [], None
        for s in seeds:
            ep, env = record(env_id, s)
            episodes.append(ep)
        doc = {
            "env_id": env_id,
            "generator": {"gymnasium_version": gym.__version__, "numpy_version": np.__version__,
                          "python_version": platform.python_version(), "platform": platform.machine()},
            "max_episode_steps": env.spec.max_episode_steps,
            "n_actions": int(env.action_space.n),
            "state_fields": state_fields, "observation_fields": obs_fields,
            "format": "Recorded by scripts/record-rl-trajectories.py; see that script and data/README.md.",
            "notes": [],
            "episodes": episodes,
        }
        path = os.path.join(args.out_dir, name)
        with open(path + ".tmp", "w") as f:
            json.dump(doc, f)
        os.replace(path + ".tmp", path)
        print(f"{path}: {len(episodes)} episodes")


if __name__ == "__main__":
    main()
