#!/usr/bin/env python3
"""PyTorch side of the sampling-speed comparison (CPU). Not part of the build; needs `pip install torch`.

  python3 Benchmarks/gpt-pytorch/sample_torch.py CHECKPOINT [--mode nanogpt|cached] [--tokens 500]
        [--threads 1] [--seed 1337]

Loads a Slate checkpoint (nanoGPT's parameter names) into the PyTorch GPT of torch_gpt.py and
samples --tokens characters after a newline (temperature 0.8, top-k 200, as nanoGPT's sample.py),
then prints the tokens/s of the sampling loop alone (loading excluded), as `slate gpt sample` does
on its standard error, and the same per CPU-second (comparable on a busy machine).

  --mode nanogpt   nanoGPT's `generate`: every token re-runs the whole (cropped) context.
  --mode cached    a key/value cache: each token runs the blocks on one position; once the context
                   outgrows block_size the window slides, so the cache is refilled from the last
                   block_size tokens in one batched pass (what Slate's KVCache does).
"""
import argparse, json, math, os, sys, time
import torch
import torch.nn.functional as F
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_gpt import GPT, read_safetensors

def next_token(logits, temperature, top_k):
    logits = logits / temperature
    if top_k is not None:
        v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
        logits[logits < v[:, [-1]]] = -float("inf")
    return torch.multinomial(F.softmax(logits, dim=-1), num_samples=1)

@torch.no_grad()
def generate_nanogpt(model, idx, n, block, temperature=0.8, top_k=200):
    # nanoGPT's GPT.generate, restated.
    for _ in range(n):
        cond = idx if idx.size(1) <= block else idx[:, -block:]
        logits, _ = model(cond)
        idx = torch.cat((idx, next_token(logits[:, -1, :], temperature, top_k)), dim=1)
    return idx

class Cache:
    """Per-layer keys and values of the positions seen so far, (1, nh, t, hs) each."""
    def __init__(self, model):
        self.model, self.k, self.v = model, [None] * len(model.transformer.h), [None] * len(model.transformer.h)

    def run(self, tokens, start):
        # tokens (1, t) at positions start..<start+t; start 0 refills, otherwise appends. -> logits (1, V)
        m = self.model
        t = tokens.size(1)
        x = m.transformer.wte(tokens) + m.transformer.wpe(torch.arange(start, start + t))   # (1, t, C)
        for l, blk in enumerate(m.transformer.h):
            B, T, C = x.shape
            q, k, v = blk.attn.c_attn(blk.ln_1(x)).split(C, dim=2)
            q, k, v = (z.view(B, T, blk.nh, C // blk.nh).transpose(1, 2) for z in (q, k, v))   # (1, nh, t, hs)
            if start > 0:
                k, v = torch.cat((self.k[l], k), dim=2), torch.cat((self.v[l], v), dim=2)
            self.k[l], self.v[l] = k, v
            y = F.scaled_dot_product_attention(q, k, v, is_causal=start == 0)
            x = x + blk.attn.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))
            x = x + blk.mlp.c_proj(F.gelu(blk.mlp.c_fc(blk.ln_2(x))))
        return m.lm_head(m.transformer.ln_f(x[:, -1, :]))

@torch.no_grad()
def generate_cached(model, idx, n, block, temperature=0.8, top_k=200):
    cache, length = Cache(model), 0
    for _ in range(n):
        if length == idx.size(1) - 1 and length < block:
            logits = cache.run(idx[:, -1:], length); length += 1
        else:
            window = idx[:, -block:]
            logits = cache.run(window, 0); length = window.size(1)
        idx = torch.cat((idx, next_token(logits, temperature, top_k)), dim=1)
    return idx

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint"); ap.add_argument("--mode", choices=["nanogpt", "cached"], default="nanogpt")
    ap.add_argument("--tokens", type=int, default=500); ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1337)
    args = ap.parse_args()
    torch.set_num_threads(args.threads); torch.manual_seed(args.seed)
    sd, meta = read_safetensors(args.checkpoint)
    cfg = json.loads(meta["config"]); vocab = json.loads(meta["vocab"])
    model = GPT(**cfg); model.load_state_dict(sd, strict=True); model.eval()
    start = torch.tensor([[vocab.index("\n")]])
    gen = generate_nanogpt if args.mode == "nanogpt" else generate_cached
    t0, c0 = time.perf_counter(), time.process_time()
    out = gen(model, start, args.tokens, cfg["block_size"])
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    print("".join(vocab[i] for i in out[0].tolist()))
    print(f"PyTorch {torch.__version__} {args.mode}: {args.tokens} tokens in {dt:.3f} s: {args.tokens / dt:.0f} tokens/s "
          f"({cpu:.3f} CPU-s: {args.tokens / cpu:.0f} tokens per CPU-second)",
          file=sys.stderr)
