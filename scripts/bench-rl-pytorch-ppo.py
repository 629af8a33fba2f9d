#!/usr/bin/env python3
"""Steps/s of a PyTorch PPO with CleanRL ppo.py's classic-control setup, for comparison with
`slate rl train --algo ppo` on the same machine (the figure DESIGN.md asks for).

Same loop shape as CleanRL's ppo.py: 4 Gymnasium CartPole-v1 envs (same-step autoreset), 128
steps per rollout, one batched forward per step, GAE, 4 epochs x 4 minibatches, clipped
surrogate and value losses, entropy bonus, grad-norm clip, Adam(eps=1e-5) with LR annealing,
64-64 tanh actor/critic with orthogonal init. Prints steps/s and the recent mean return.

    python3 scripts/bench-rl-pytorch-ppo.py --total-steps 100000 --threads 1
Needs: torch, gymnasium (pip install gymnasium).
"""
import argparse
import time

import gymnasium as gym
import numpy as np
import torch
import torch.nn as nn


def layer(i, o, gain):
    lin = nn.Linear(i, o)
    nn.init.orthogonal_(lin.weight, gain)
    nn.init.zeros_(lin.bias)
    return lin


def mlp(i, o, out_gain):
    return nn.Sequential(layer(i, 64, 2 ** 0.5), nn.Tanh(), layer(64, 64, 2 ** 0.5), nn.Tanh(), layer(64, o, out_gain))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--total-steps", type=int, default=100_000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    n, T, mbs, epochs, lr = 4, 128, 4, 4, 2.5e-4
    envs = gym.vector.SyncVectorEnv([lambda: gym.make("CartPole-v1") for _ in range(n)],
                                    autoreset_mode=gym.vector.AutoresetMode.SAME_STEP)
    envs = gym.wrappers.vector.RecordEpisodeStatistics(envs)
    actor, critic = mlp(4, 2, 0.01), mlp(4, 1, 1.0)
    params = list(actor.parameters()) + list(critic.parameters())
    opt = torch.optim.Adam(params, lr=lr, eps=1e-5)
    obs_buf = torch.zeros((T, n, 4)); act_buf = torch.zeros((T, n), dtype=torch.long)
    logp_buf = torch.zeros((T, n)); rew_buf = torch.zeros((T, n)); done_buf = torch.zeros((T, n)); val_buf = torch.zeros((T, n))
    obs, _ = envs.reset(seed=a.seed)
    obs = torch.tensor(obs, dtype=torch.float32); done = torch.zeros(n)
    iters = a.total_steps // (n * T)
    returns, step, start = [], 0, time.time()
    for it in range(1, iters + 1):
        opt.param_groups[0]["lr"] = lr * (1 - (it - 1) / iters)
        for t in range(T):
            step += n
            obs_buf[t] = obs; done_buf[t] = done
            with torch.no_grad():
                dist = torch.distributions.Categorical(logits=actor(obs))
                act = dist.sample(); logp_buf[t] = dist.log_prob(act); val_buf[t] = critic(obs).flatten()
            act_buf[t] = act
            obs, r, term, trunc, info = envs.step(act.numpy())
            rew_buf[t] = torch.tensor(r); done = torch.tensor(np.logical_or(term, trunc), dtype=torch.float32)
            obs = torch.tensor(obs, dtype=torch.float32)
            if "episode" in info:
                returns += list(info["episode"]["r"][info["_episode"]])
        with torch.no_grad():
            nxt = critic(obs).flatten(); adv = torch.zeros_like(rew_buf); last = 0
            for t in reversed(range(T)):
                nonterm = 1 - (done if t == T - 1 else done_buf[t + 1])
                nv = nxt if t == T - 1 else val_buf[t + 1]
                delta = rew_buf[t] + 0.99 * nv * nonterm - val_buf[t]
                adv[t] = last = delta + 0.99 * 0.95 * nonterm * last
            ret = adv + val_buf
        b_obs, b_act, b_logp = obs_buf.reshape(-1, 4), act_buf.reshape(-1), logp_buf.reshape(-1)
        b_adv, b_ret, b_val = adv.reshape(-1), ret.reshape(-1), val_buf.reshape(-1)
        B = n * T; mb = B // mbs
        for _ in range(epochs):
            idx = np.random.permutation(B)
            for s in range(0, B, mb):
                i = idx[s:s + mb]
                dist = torch.distributions.Categorical(logits=actor(b_obs[i]))
                ratio = (dist.log_prob(b_act[i]) - b_logp[i]).exp()
                A = b_adv[i]; A = (A - A.mean()) / (A.std() + 1e-8)
                pg = torch.max(-A * ratio, -A * ratio.clamp(0.8, 1.2)).mean()
                v = critic(b_obs[i]).flatten()
                vc = b_val[i] + (v - b_val[i]).clamp(-0.2, 0.2)
                vl = 0.5 * torch.max((v - b_ret[i]) ** 2, (vc - b_ret[i]) ** 2).mean()
                loss = pg - 0.01 * dist.entropy().mean() + 0.5 * vl
                opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(params, 0.5); opt.step()
    wall = time.time() - start
    recent = np.mean(returns[-100:]) if returns else float("nan")
    print(f"pytorch ppo CartPole-v1: {step} steps in {wall:.1f} s = {step / wall:.0f} steps/s, "
          f"mean return (last 100 ep) {recent:.1f}, torch {torch.__version__}, threads {a.threads}")


if __name__ == "__main__":
    main()
