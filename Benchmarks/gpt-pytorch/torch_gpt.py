#!/usr/bin/env python3
"""PyTorch side of the GPT comparison (CPU). Not part of the build; needs `pip install torch`.

  python3 Benchmarks/gpt-pytorch/torch_gpt.py fixture   # load Tests/SlateGPTTests/Fixtures/nanogpt-tiny.*
                                                       # into a PyTorch GPT (nanoGPT's architecture)
                                                       # and compare its logits with the recorded ones
  python3 Benchmarks/gpt-pytorch/torch_gpt.py eval CHECKPOINT TEXT
                                                       # load a Slate checkpoint with strict
                                                       # load_state_dict and print the loss over
                                                       # consecutive block_size windows (as
                                                       # `slate gpt eval --json`)
  python3 Benchmarks/gpt-pytorch/torch_gpt.py bench [--threads 2] [--large] [--dropout 0.2]
                                                       # ms/iter of nanoGPT's CPU recipe step (AdamW,
                                                       # clip 1.0), or fwd+bwd of the large config
                                                       # (dropout 0 unless given, as `slate gpt bench`)

The model restates nanoGPT's model.py (pre-LN blocks, fused c_attn, SDPA causal attention, exact
GELU, tied head) so its state_dict keys are nanoGPT's; it is the reference the Slate numbers in
models/shakespeare-char/README.md were measured beside.
"""
import json, math, os, resource, statistics, struct, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

class Block(nn.Module):
    def __init__(self, c, nh, bias, dropout):
        super().__init__()
        self.nh, self.dropout = nh, dropout
        self.ln_1 = nn.LayerNorm(c, bias=bias)
        self.attn = nn.Module()
        self.attn.c_attn = nn.Linear(c, 3 * c, bias=bias)
        self.attn.c_proj = nn.Linear(c, c, bias=bias)
        self.ln_2 = nn.LayerNorm(c, bias=bias)
        self.mlp = nn.Module()
        self.mlp.c_fc = nn.Linear(c, 4 * c, bias=bias)
        self.mlp.c_proj = nn.Linear(4 * c, c, bias=bias)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.attn.c_attn(self.ln_1(x)).split(C, dim=2)
        q, k, v = (t.view(B, T, self.nh, C // self.nh).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, dropout_p=self.dropout if self.training else 0, is_causal=True)
        x = x + self.drop(self.attn.c_proj(y.transpose(1, 2).contiguous().view(B, T, C)))
        return x + self.drop(self.mlp.c_proj(F.gelu(self.mlp.c_fc(self.ln_2(x)))))

class GPT(nn.Module):
    def __init__(self, n_layer, n_head, n_embd, block_size, vocab_size, bias, dropout):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab_size, n_embd), wpe=nn.Embedding(block_size, n_embd),
            drop=nn.Dropout(dropout), h=nn.ModuleList([Block(n_embd, n_head, bias, dropout) for _ in range(n_layer)]),
            ln_f=nn.LayerNorm(n_embd, bias=bias)))
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight
        # nanoGPT's init, in its order, so that torch.manual_seed(s) gives nanoGPT's weights:
        # every Linear/Embedding ~ N(0, 0.02) module by module (lm_head last: it is wte), then the
        # residual projections again with 0.02/sqrt(2 n_layer).
        self.apply(self._init_weights)
        for n, p in self.named_parameters():
            if n.endswith("c_proj.weight"): nn.init.normal_(p, 0, 0.02 / math.sqrt(2 * n_layer))

    @staticmethod
    def _init_weights(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, 0, 0.02)
            if getattr(module, "bias", None) is not None: nn.init.zeros_(module.bias)

    def forward(self, idx, targets=None):
        t = idx.shape[1]
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(torch.arange(t)))
        for block in self.transformer.h: x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))
        loss = None if targets is None else F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss

def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n)); data = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {k: torch.frombuffer(bytearray(data[v["data_offsets"][0]:v["data_offsets"][1]]), dtype=torch.float32).view(v["shape"])
               for k, v in header.items()}
    return tensors, meta

def fixture():
    here = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "SlateGPTTests", "Fixtures")
    sd, meta = read_safetensors(os.path.join(here, "nanogpt-tiny.safetensors"))
    model = GPT(**json.loads(meta["config"]))
    sd.setdefault("transformer.wte.weight", sd.get("lm_head.weight"))
    sd.setdefault("lm_head.weight", sd["transformer.wte.weight"])
    model.load_state_dict(sd, strict=True)
    ref = json.load(open(os.path.join(here, "nanogpt-tiny.json")))
    model.eval()
    with torch.no_grad():
        logits, _ = model(torch.tensor(ref["tokens"]))
    diff = (logits.reshape(-1).double() - torch.tensor(ref["logits"], dtype=torch.float64)).abs().max().item()
    print(f"PyTorch {torch.__version__} logits vs fixture: max |diff| = {diff:.2e}")
    return diff < 1e-4

def bench(threads, large, dropout=0.0):
    torch.set_num_threads(threads); torch.manual_seed(1337)
    cfg = dict(n_layer=6, n_head=6, n_embd=384, block_size=256) if large else dict(n_layer=4, n_head=4, n_embd=128, block_size=64)
    batch = 64 if large else 12
    model = GPT(**cfg, vocab_size=65, bias=False, dropout=dropout)
    decay = [p for p in model.parameters() if p.dim() >= 2]; keep = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": keep, "weight_decay": 0.0}], lr=1e-3, betas=(0.9, 0.99))
    iters, warm = (3, 1) if large else (100, 10)
    times = []; cpu0 = 0
    for i in range(warm + iters):
        if i == warm: cpu0 = time.process_time()
        x = torch.randint(65, (batch, cfg["block_size"])); y = torch.randint(65, (batch, cfg["block_size"]))
        t0 = time.perf_counter()
        _, loss = model(x, y); loss.backward()
        if not large:
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0); opt.step()
        opt.zero_grad(set_to_none=True)
        if i >= warm: times.append((time.perf_counter() - t0) * 1000)
    med = statistics.median(times)
    cpu = (time.process_time() - cpu0) * 1000 / iters
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"PyTorch {torch.__version__} {'large fwd+bwd' if large else 'default step'}, dropout {dropout}, {threads} threads: "
          f"{med:.2f} ms/iter median, {batch * cfg['block_size'] / med * 1000:.0f} tokens/s, {cpu:.2f} CPU-ms/iter, peak RSS {rss:.0f} MB")

def evaluate(path, text_path):
    sd, meta = read_safetensors(path)
    cfg = json.loads(meta["config"]); vocab = json.loads(meta["vocab"])
    model = GPT(**cfg)
    model.load_state_dict(sd, strict=True)   # Slate writes both names of the tied head
    model.eval()
    stoi = {c: i for i, c in enumerate(vocab)}
    ids = torch.tensor([stoi[c] for c in open(text_path, encoding="utf-8").read()])
    T = cfg["block_size"]; w = (len(ids) - 1) // T
    x, y = ids[:w * T].view(w, T), ids[1:w * T + 1].view(w, T)
    with torch.no_grad():
        losses = [model(x[i:i + 64], y[i:i + 64])[1].item() * len(x[i:i + 64]) for i in range(0, w, 64)]
    print(json.dumps({"loss": round(sum(losses) / w, 6), "windows": w, "tokens": w * T}))

if __name__ == "__main__":
    if sys.argv[1:2] == ["eval"]:
        sys.exit(evaluate(sys.argv[2], sys.argv[3]))
    if sys.argv[1:2] == ["fixture"]:
        sys.exit(0 if fixture() else 1)
    threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 2
    dropout = float(sys.argv[sys.argv.index("--dropout") + 1]) if "--dropout" in sys.argv else 0.0
    bench(threads, "--large" in sys.argv, dropout)
