"""Writes Tests/SlateGraphTests/Fixtures/pyg-layers.json: PyG outputs of GINConv, SAGEConv and GATConv
for fixed weights on one small graph, so Slate's layers can be checked against the reference library.

Run once (not part of the build; PyG is not vendored):
    python3 -m venv /tmp/pyg && /tmp/pyg/bin/pip install /opt/wheels/torch*.whl torch_geometric
    /tmp/pyg/bin/python scripts/make-pyg-fixtures.py

Conventions: Slate's adjacency row i lists the nodes i receives from, so a stored entry (i, j) is
PyG's edge j -> i (edge_index = [[j...], [i...]]). The weights are PyG's own float32 initialisation, every
parameter shifted by U(-0.2, 0.2) and the running statistics set in [0.5, 1.5) so no term is trivial;
every forward runs in float64 so the fixture is the exact value of the formula for those weights.
Each layer records its state dict, its output(s), and the input gradient of sum(out * proj).
"""
import json
import os

import torch
import torch_geometric
from torch_geometric.nn import GATConv, GINConv, SAGEConv

torch.manual_seed(0)
N, F = 7, 5
# Undirected edges (both directions stored), a self loop on node 3, node 6 isolated.
undirected = [(0, 1), (0, 2), (1, 2), (2, 3), (3, 4), (4, 5), (2, 5)]
entries = sorted({(a, b) for a, b in undirected} | {(b, a) for a, b in undirected} | {(3, 3)})
edge_index = torch.tensor([[j for i, j in entries], [i for i, j in entries]])  # source j -> target i
x = (torch.rand(N, F) * 4 - 2).float().double()


def flat(t):
    return [float(v) for v in t.detach().double().reshape(-1).tolist()]


def state(module):
    sd = module.state_dict()
    return {k: {"shape": list(v.shape), "values": flat(v)} for k, v in sd.items() if k != "nn.1.num_batches_tracked"}


def run(name, module, config, modes):
    with torch.no_grad():  # move every parameter off its initial constant (zero biases, unit BN scales)
        for p in module.parameters():
            p.add_((torch.rand(p.shape) - 0.5) * 0.4)
        for b in module.buffers():
            if b.is_floating_point():
                b.copy_(torch.rand(b.shape) + 0.5)  # running mean and variance in [0.5, 1.5)
    saved = state(module)                      # before any forward (running statistics included)
    module = module.double()
    out = {"name": name, "config": config, "state": saved, "outputs": {}}
    proj = None
    for mode in modes:
        module.train(mode == "train")
        xi = x.clone().requires_grad_(True)
        y = module(xi, edge_index)
        if proj is None:
            proj = (torch.rand(y.shape) * 2 - 1).float().double()
        (y * proj).sum().backward()
        out["outputs"][mode] = flat(y)
        out["outputs"]["dx_" + mode] = flat(xi.grad)
        out["outputs"]["shape"] = list(y.shape)
        if hasattr(module, "nn"):
            bn = module.nn[1]
            out["outputs"]["running_after_" + mode] = flat(torch.cat([bn.running_mean, bn.running_var]))
    out["proj"] = flat(proj)
    return out


def gin(train_eps, eps):
    mlp = torch.nn.Sequential(torch.nn.Linear(F, 6), torch.nn.BatchNorm1d(6), torch.nn.ReLU(), torch.nn.Linear(6, 6))
    return GINConv(mlp, eps=eps, train_eps=train_eps)


layers = [
    run("gin", gin(False, 0.0), {"kind": "gin", "in": F, "out": 6, "train_eps": False}, ["train", "eval"]),
    run("gin-train-eps", gin(True, 0.3), {"kind": "gin", "in": F, "out": 6, "train_eps": True}, ["train", "eval"]),
    run("sage-shrink", SAGEConv(F, 3), {"kind": "sage", "in": F, "out": 3}, ["eval"]),
    run("sage-widen", SAGEConv(F, 8), {"kind": "sage", "in": F, "out": 8}, ["eval"]),
    run("gat-concat", GATConv(F, 4, heads=3), {"kind": "gat", "in": F, "out": 4, "heads": 3, "concat": True}, ["eval"]),
    run("gat-mean", GATConv(F, 4, heads=2, concat=False), {"kind": "gat", "in": F, "out": 4, "heads": 2, "concat": False}, ["eval"]),
]
fixture = {"nodes": N, "features": F, "entries": entries, "x": flat(x), "layers": layers,
           "torch": torch.__version__, "torch_geometric": torch_geometric.__version__}
path = os.path.join(os.path.dirname(__file__), "..", "Tests", "SlateGraphTests", "Fixtures", "pyg-layers.json")
with open(path, "w") as f:
    json.dump(fixture, f)
print("wrote", os.path.normpath(path))
