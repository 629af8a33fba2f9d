#!/usr/bin/env python3
"""nanoGPT's shakespeare-char CPU run in PyTorch, restated so that its random stream is nanoGPT's:
the same draws in the same order as `python train.py config/train_shakespeare_char.py --device=cpu
--compile=False --eval_iters=20 --block_size=64 --batch_size=12 --n_layer=4 --n_head=4 --n_embd=128
--max_iters=2000 --lr_decay_iters=2000 --dropout=0.0` (the model from torch_gpt.py, whose init is
nanoGPT's). Not part of the build; needs `pip install torch`.

  python3 Benchmarks/gpt-pytorch/nanogpt_run.py [--seed 1337] [--threads 1] [--iters 2000]
        [--text FILE] [--fixture OUT.json]

Prints nanoGPT's "step N: train loss …, val loss …" lines, then the mean loss over the whole
validation split in consecutive block_size windows (as `slate gpt eval`) and the median step
time (forward, backward, clipping, AdamW; evaluations excluded, as in `slate gpt train`). --fixture writes the
first batch, a few initial weights, the iteration-0 estimate and the first 20 step losses: the
reference Tests/SlateGPTTests/NanoGPTRunTests.swift checks Slate against.
"""
import argparse, json, math, os, statistics, sys, time
import numpy as np, torch
import torch.nn.functional as F
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_gpt import GPT

ap = argparse.ArgumentParser()
ap.add_argument("--seed", type=int, default=1337); ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--iters", type=int, default=2000); ap.add_argument("--fixture")
ap.add_argument("--text", default=os.path.join(os.environ.get("SLATE_DATA", "data"), "tinyshakespeare.txt"))
args = ap.parse_args()
torch.set_num_threads(args.threads)
B, T, EVAL_INTERVAL, EVAL_ITERS = 12, 64, 250, 20
LR, MIN_LR, WARMUP, DECAY = 1e-3, 1e-4, 100, 2000

torch.manual_seed(args.seed)
text = open(args.text, encoding="utf-8").read()
chars = sorted(set(text)); stoi = {c: i for i, c in enumerate(chars)}
data = np.array([stoi[c] for c in text], dtype=np.int64); n = len(data)
splits = {"train": data[:int(n * 0.9)], "val": data[int(n * 0.9):]}
offsets = []

def get_batch(split):
    d = splits[split]; ix = torch.randint(len(d) - T, (B,)); offsets.append(ix.tolist())
    x = torch.stack([torch.from_numpy(d[i:i + T]) for i in ix]); y = torch.stack([torch.from_numpy(d[i + 1:i + 1 + T]) for i in ix])
    return x, y

model = GPT(4, 4, 128, T, len(chars), False, 0.0)
params = dict(model.named_parameters())
opt = torch.optim.AdamW([{"params": [p for p in params.values() if p.dim() >= 2], "weight_decay": 0.1},
                         {"params": [p for p in params.values() if p.dim() < 2], "weight_decay": 0.0}], lr=LR, betas=(0.9, 0.99))
initial = {k: v.flatten()[:3].tolist() for k, v in params.items() if v.dim() >= 2}

def get_lr(it):
    if it < WARMUP: return LR * (it + 1) / (WARMUP + 1)
    if it > DECAY: return MIN_LR
    return MIN_LR + 0.5 * (1 + math.cos(math.pi * (it - WARMUP) / (DECAY - WARMUP))) * (LR - MIN_LR)

@torch.no_grad()
def estimate_loss():
    model.eval(); out = {}
    for split in ("train", "val"):
        out[split] = sum(model(*get_batch(split))[1].item() for _ in range(EVAL_ITERS)) / EVAL_ITERS
    model.train(); return out

X, Y = get_batch("train"); first_batch = offsets[0]
evals, losses, ms, it = {}, [], [], 0
start = time.perf_counter()
while True:
    for g in opt.param_groups: g["lr"] = get_lr(it)
    if it % EVAL_INTERVAL == 0 or it == args.iters:
        evals[it] = estimate_loss()
        print(f"step {it}: train loss {evals[it]['train']:.4f}, val loss {evals[it]['val']:.4f}", flush=True)
    if it >= args.iters: break
    t0 = time.perf_counter()
    _, loss = model(X, Y)
    X, Y = get_batch("train")                    # nanoGPT prefetches before the backward
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step(); opt.zero_grad(set_to_none=True)
    losses.append(loss.item()); ms.append((time.perf_counter() - t0) * 1000); it += 1
wall = time.perf_counter() - start

v = torch.from_numpy(splits["val"]); w = (len(v) - 1) // T
x, y = v[:w * T].view(w, T), v[1:w * T + 1].view(w, T); model.eval()
with torch.no_grad():
    total = sum(model(x[i:i + 64], y[i:i + 64])[1].item() * len(x[i:i + 64]) for i in range(0, w, 64))
print(f"seed {args.seed}: whole val split {total / w:.4f} over {w} windows", flush=True)
if ms:
    med = statistics.median(ms)
    print(f"{args.threads} threads: median step {med:.2f} ms ({B * T / med * 1000:.0f} tokens/s), "
          f"{wall:.1f} s for {it} iterations with evaluations", flush=True)
if args.fixture:
    ref = {"seed": args.seed, "torch": torch.__version__, "first_batch_offsets": first_batch,
           "initial_weights": initial, "eval_0": evals[0], "step_losses": losses[:20]}
    with open(args.fixture, "w") as f: json.dump(ref, f, indent=1)
