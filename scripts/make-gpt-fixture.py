#!/usr/bin/env python3
"""Writes the nanoGPT-layout checkpoint fixture that SlateGPT's tests load.

PyTorch could not be installed on the machine that made the fixture (no route to
download.pytorch.org), so this script re-states nanoGPT's `GPT.forward` (model.py) in NumPy,
in float64, and writes:

  Tests/SlateGPTTests/Fixtures/nanogpt-tiny.safetensors   weights, nanoGPT state_dict names
                                                          and PyTorch layouts; the tied head is
                                                          stored once, as `lm_head.weight`
                                                          (what safetensors' save_model keeps)
  Tests/SlateGPTTests/Fixtures/nanogpt-tiny.json          the input tokens and nanoGPT's logits

With PyTorch available, the same file loads into nanoGPT:
    sd = safetensors.torch.load_file(path); sd["transformer.wte.weight"] = sd["lm_head.weight"]
    model = GPT(GPTConfig(**json.loads(metadata["config"]))); model.load_state_dict(sd)
and `model(idx)` gives these logits (with `targets` passed, nanoGPT returns logits for every
position; this fixture records every position).

Usage: python3 scripts/make-gpt-fixture.py   (needs only numpy; deterministic)
"""
import json, math, os, struct
import numpy as np

CFG = dict(n_layer=2, n_head=2, n_embd=16, block_size=8, vocab_size=11, bias=True, dropout=0.0)
VOCAB = list("\n !,.abcdeT")
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "SlateGPTTests", "Fixtures")

rng = np.random.default_rng(20261127)
C, L, V, T = CFG["n_embd"], CFG["n_layer"], CFG["vocab_size"], CFG["block_size"]

def normal(*shape, std=0.02):
    return (rng.standard_normal(shape) * std).astype(np.float32)

# Non-trivial values everywhere (biases and LayerNorm gains too), so a wrong layout shows.
sd = {}
sd["lm_head.weight"] = normal(V, C, std=0.3)
sd["transformer.wpe.weight"] = normal(T, C, std=0.3)
for i in range(L):
    p = f"transformer.h.{i}."
    sd[p + "ln_1.weight"] = (1 + normal(C, std=0.1)).astype(np.float32)
    sd[p + "ln_1.bias"] = normal(C, std=0.1)
    sd[p + "attn.c_attn.weight"] = normal(3 * C, C, std=0.3)
    sd[p + "attn.c_attn.bias"] = normal(3 * C, std=0.1)
    sd[p + "attn.c_proj.weight"] = normal(C, C, std=0.3)
    sd[p + "attn.c_proj.bias"] = normal(C, std=0.1)
    sd[p + "ln_2.weight"] = (1 + normal(C, std=0.1)).astype(np.float32)
    sd[p + "ln_2.bias"] = normal(C, std=0.1)
    sd[p + "mlp.c_fc.weight"] = normal(4 * C, C, std=0.3)
    sd[p + "mlp.c_fc.bias"] = normal(4 * C, std=0.1)
    sd[p + "mlp.c_proj.weight"] = normal(C, 4 * C, std=0.3)
    sd[p + "mlp.c_proj.bias"] = normal(C, std=0.1)
sd["transformer.ln_f.weight"] = (1 + normal(C, std=0.1)).astype(np.float32)
sd["transformer.ln_f.bias"] = normal(C, std=0.1)

W = {k: v.astype(np.float64) for k, v in sd.items()}

def layer_norm(x, w, b):  # F.layer_norm, eps 1e-5, biased variance
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + 1e-5) * w + b

erf = np.vectorize(math.erf)
def gelu(x):  # nn.GELU(): exact erf form
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))

def linear(x, name):
    return x @ W[name + ".weight"].T + W[name + ".bias"]

def forward(idx):  # nanoGPT GPT.forward, idx (B, T) -> logits (B, T, V)
    B, t = idx.shape
    x = W["lm_head.weight"][idx] + W["transformer.wpe.weight"][np.arange(t)]
    nh, hs = CFG["n_head"], C // CFG["n_head"]
    for i in range(L):
        p = f"transformer.h.{i}."
        h = layer_norm(x, W[p + "ln_1.weight"], W[p + "ln_1.bias"])
        q, k, v = np.split(linear(h, p + "attn.c_attn"), 3, axis=-1)
        q = q.reshape(B, t, nh, hs).transpose(0, 2, 1, 3)          # (B, nh, T, hs)
        k = k.reshape(B, t, nh, hs).transpose(0, 2, 1, 3)
        v = v.reshape(B, t, nh, hs).transpose(0, 2, 1, 3)
        att = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hs)          # (B, nh, T, T)
        att = np.where(np.tril(np.ones((t, t))) == 1, att, -np.inf)
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        y = (att @ v).transpose(0, 2, 1, 3).reshape(B, t, C)        # (B, T, C)
        x = x + linear(y, p + "attn.c_proj")
        h = layer_norm(x, W[p + "ln_2.weight"], W[p + "ln_2.bias"])
        x = x + linear(gelu(linear(h, p + "mlp.c_fc")), p + "mlp.c_proj")
    x = layer_norm(x, W["transformer.ln_f.weight"], W["transformer.ln_f.bias"])
    return x @ W["lm_head.weight"].T

def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    offset, blobs = 0, []
    for name, t in tensors.items():
        data = np.ascontiguousarray(t, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-(len(h) + 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))

idx = rng.integers(0, V, size=(2, T))
logits = forward(idx)
os.makedirs(OUT, exist_ok=True)
meta = {"format": "slate.gpt", "format_version": "1", "config": json.dumps(CFG), "vocab": json.dumps(VOCAB)}
write_safetensors(os.path.join(OUT, "nanogpt-tiny.safetensors"), sd, meta)
with open(os.path.join(OUT, "nanogpt-tiny.json"), "w") as f:
    json.dump({"tokens": idx.tolist(), "logits": logits.reshape(-1).tolist(),
               "shape": list(logits.shape)}, f)
print("wrote", OUT, "logits", logits.shape)
