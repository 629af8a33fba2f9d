#!/usr/bin/env python3
"""PyTorch Geometric beside Slate: the same models, protocol and splits as `slate gcn train`.

Reads the datasets from $SLATE_DATA (the files Slate reads, so the same graphs and features),
rebuilds Slate's stratified folds from the same seed (SplitMix64 + Fisher-Yates, as
Sources/SlateGraph/Data/StratifiedKFold.swift), standardises continuous feature columns with each
fold's training graphs (as Slate's FeatureStandardizer), uses Cora's Planetoid split from
split.tsv, and trains each conv with Slate's documented defaults. Prints one JSON line per (dataset, conv, seed)
with the test accuracy (mean over folds for TU datasets) and wall time.

    python run_pyg.py --dataset MUTAG --conv gin --seeds 0 1 2 --threads 1
    python run_pyg.py --print-folds MUTAG --seed 0      # the fold lists, to compare with Slate
    python run_pyg.py --print-standardization PROTEINS --seed 0   # each fold's feature mean, std
"""
import argparse, json, os, time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch_geometric.data import Data
from torch_geometric.loader import DataLoader
from torch_geometric.nn import GATConv, GCNConv, GINConv, SAGEConv, global_add_pool

MASK = (1 << 64) - 1


# ---------------------------------------------------------------- data, as Slate reads it

def read_ints(path):
    return [int(x) for x in path.read_text().split()]


def tu_dataset(root, name):
    """Graphs of a TU dataset: x = one-hot(node label, categories ascending) ++ node attributes,
    or one-hot degree when there are neither; y = raw graph label's rank among the sorted labels."""
    d = root / "tu" / name
    f = lambda s: d / f"{name}_{s}.txt"
    raw = read_ints(f("graph_labels"))
    classes = {c: i for i, c in enumerate(sorted(set(raw)))}
    gi = [g - 1 for g in read_ints(f("graph_indicator"))]
    n = len(gi)
    start = {}
    for i, g in enumerate(gi):
        start.setdefault(g, i)
    cols = []
    if f("node_labels").exists():
        nl = read_ints(f("node_labels"))
        cats = {c: i for i, c in enumerate(sorted(set(nl)))}
        cols.append(F.one_hot(torch.tensor([cats[c] for c in nl]), len(cats)).float())
    if f("node_attributes").exists():
        rows = [[float(v) for v in line.split(",")] for line in f("node_attributes").read_text().splitlines() if line.strip()]
        cols.append(torch.tensor(rows))
    edges = [[[], []] for _ in raw]
    for line in f("A").read_text().splitlines():
        if line.strip():
            a, b = (int(v) - 1 for v in line.split(","))
            g = gi[a]
            edges[g][0].append(a - start[g]); edges[g][1].append(b - start[g])
    if not cols:  # one-hot degree
        deg = [0] * n
        for g, (s, _) in enumerate(edges):
            for v in s: deg[start[g] + v] += 1
        cols.append(F.one_hot(torch.tensor(deg), max(deg) + 1).float())
    x = torch.cat(cols, dim=1)
    graphs = []
    for g in range(len(raw)):
        lo, hi = start[g], (start[g + 1] if g + 1 < len(raw) else n)
        graphs.append(Data(x=x[lo:hi], edge_index=torch.tensor(edges[g], dtype=torch.long).view(2, -1),
                           y=torch.tensor([classes[raw[g]]])))
    return graphs


def cora(root):
    """Cora from nodes/edges/split.tsv: binary bag of words, row-normalised; Planetoid split."""
    d = root / "cora"
    rows = [l.split("\t") for l in (d / "nodes.tsv").read_text().splitlines()[1:] if l.strip()]
    n = len(rows)
    feats = [[int(v) for v in r[2].split(",") if v.strip()] for r in rows]
    width = max(max(fs) for fs in feats if fs) + 1
    x = torch.zeros(n, width)
    for i, fs in enumerate(feats): x[i, fs] = 1
    x = x / x.sum(1, keepdim=True).clamp(min=1)
    y = torch.tensor([int(r[1]) for r in rows])
    e = [tuple(map(int, l.split("\t"))) for l in (d / "edges.tsv").read_text().splitlines()[1:] if l.strip()]
    ei = torch.tensor([[a for a, b in e] + [b for a, b in e], [b for a, b in e] + [a for a, b in e]])
    split = {"train": [], "val": [], "test": []}
    for l in (d / "split.tsv").read_text().splitlines()[1:]:
        if l.strip():
            i, s = l.split("\t"); split[s].append(int(i))
    return Data(x=x, edge_index=ei, y=y), split


# ---------------------------------------------------------------- Slate's feature standardisation

def feature_statistics(graphs):
    """Slate's FeatureStandardizer.fit: per column, the mean and population std over every node of
    `graphs` (a fold's training graphs), accumulated in float64; a column whose values there are all
    0 or 1 (one-hot labels or degrees) keeps mean 0, std 1; std 1 also when the variance <= 1e-12."""
    x = torch.cat([g.x for g in graphs]).double()                     # (nodes, F)
    binary = ((x == 0) | (x == 1)).all(0)
    mean = x.mean(0)
    var = ((x * x).mean(0) - mean * mean).clamp(min=0)
    std = torch.where(var > 1e-12, var.sqrt(), torch.ones_like(var))
    mean[binary], std[binary] = 0.0, 1.0
    return mean.float(), std.float()


def standardized(graphs, mean, std):
    """Copies of `graphs` with x' = (x - mean) / std in float32, as Slate feeds its model."""
    out = []
    for g in graphs:
        g = g.clone()
        g.x = (g.x - mean) / std
        out.append(g)
    return out


# ---------------------------------------------------------------- Slate's folds

class SplitMix64:
    def __init__(self, seed): self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def shuffle(self, a):
        for i in range(len(a) - 1, 0, -1):
            j = self.next() % (i + 1)
            a[i], a[j] = a[j], a[i]


def stratified_folds(labels, k, seed):
    """[(train, val, test)]: classes shuffled and dealt round-robin; fold i tests, fold i+1 validates."""
    rng, members, nxt = SplitMix64(seed), [[] for _ in range(k)], 0
    for c in sorted(set(labels)):
        idx = [i for i, l in enumerate(labels) if l == c]
        rng.shuffle(idx)
        for i in idx:
            members[nxt].append(i); nxt = (nxt + 1) % k
    out = []
    for i in range(k):
        v = (i + 1) % k
        train = sorted(j for f in range(k) if f not in (i, v) for j in members[f])
        out.append((train, sorted(members[v]), sorted(members[i])))
    return out


# ---------------------------------------------------------------- models (Slate's, layer for layer)

def gin_mlp(i, o, h=None):
    h = h or o
    return nn.Sequential(nn.Linear(i, h), nn.BatchNorm1d(h), nn.ReLU(), nn.Linear(h, o))


def make_conv(kind, i, o, heads=1, concat=True, dropout=0.0, bias=True, mlp_width=None):
    if kind == "gcn": return GCNConv(i, o, bias=bias)
    if kind == "gin": return GINConv(gin_mlp(i, o, mlp_width), train_eps=False)
    if kind == "sage": return SAGEConv(i, o, aggr="mean")
    return GATConv(i, o, heads=heads, concat=concat, dropout=dropout)


class GraphNet(nn.Module):
    """convs (relu; dropout before convs 2..L except GIN) -> sum readout (of every layer for GIN)
    -> Linear, relu, dropout, Linear."""
    def __init__(self, kind, f, c, layers=3, hidden=64, dropout=0.5):
        super().__init__()
        self.kind, self.dropout = kind, dropout
        self.convs = nn.ModuleList(make_conv(kind, f if l == 0 else hidden, hidden) for l in range(layers))
        self.head1, self.head2 = nn.Linear(hidden, hidden), nn.Linear(hidden, c)

    def forward(self, d):
        h, pooled = d.x, 0
        for l, conv in enumerate(self.convs):
            if l > 0 and self.kind != "gin": h = F.dropout(h, self.dropout, self.training)
            h = conv(h, d.edge_index).relu()
            if self.kind == "gin" or l == len(self.convs) - 1:
                pooled = pooled + global_add_pool(h, d.batch)
        return self.head2(F.dropout(self.head1(pooled).relu(), self.dropout, self.training))


def run_graphs(all_graphs, kind, seed, folds=10, epochs=100, batch=32, lr=0.01, standardize=True):
    """Slate's protocol: per fold, continuous feature columns standardised with the fold's training
    graphs (as `slate gcn train`'s default; MUTAG's one-hot columns are left as they are), Adam lr
    halved every 50 epochs; the epoch with the best validation accuracy (lower validation loss on
    ties) gives the fold's test accuracy. Returns each fold's test accuracy and chosen epoch."""
    labels = [int(g.y) for g in all_graphs]
    accs, chosen = [], []
    for k, (tr, va, te) in enumerate(stratified_folds(labels, folds, seed)):
        graphs = all_graphs
        if standardize:                                   # statistics of the training part only
            graphs = standardized(all_graphs, *feature_statistics([all_graphs[i] for i in tr]))
        torch.manual_seed(seed * 1_000_003 + k)
        model = GraphNet(kind, graphs[0].num_features, max(labels) + 1)
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        sched = torch.optim.lr_scheduler.StepLR(opt, 50, 0.5)
        loader = DataLoader([graphs[i] for i in tr], batch_size=batch, shuffle=True)
        vb = next(iter(DataLoader([graphs[i] for i in va], batch_size=len(va))))
        tb = next(iter(DataLoader([graphs[i] for i in te], batch_size=len(te))))
        best = (-1.0, float("inf"), 0.0, 0)
        for epoch in range(1, epochs + 1):
            model.train()
            for b in loader:
                opt.zero_grad(); F.cross_entropy(model(b), b.y).backward(); opt.step()
            sched.step()
            model.eval()
            with torch.no_grad():
                vo, to = model(vb), model(tb)
                vacc, vloss = (vo.argmax(1) == vb.y).float().mean().item(), F.cross_entropy(vo, vb.y).item()
                tacc = (to.argmax(1) == tb.y).float().mean().item()
            if vacc > best[0] or (vacc == best[0] and vloss < best[1]): best = (vacc, vloss, tacc, epoch)
        accs.append(best[2]); chosen.append(best[3])
    return accs, chosen


class NodeNet(nn.Module):
    """Two layers: conv(dropout(X)) -> relu (elu for GAT) -> dropout -> conv."""
    def __init__(self, kind, f, c, hidden, dropout, heads=8, bias=False):
        super().__init__()
        self.kind, self.dropout = kind, dropout
        self.first = make_conv(kind, f, hidden, heads=heads, dropout=dropout, bias=bias)
        width = hidden * heads if kind == "gat" else hidden
        self.second = make_conv(kind, width, c, heads=1, concat=False, dropout=dropout, bias=bias, mlp_width=hidden)

    def forward(self, d):
        h = self.first(F.dropout(d.x, self.dropout, self.training), d.edge_index)
        h = F.elu(h) if self.kind == "gat" else h.relu()
        return self.second(F.dropout(h, self.dropout, self.training), d.edge_index)


def run_nodes(data, split, kind, seed):
    """Slate's node defaults: Kipf & Welling (16 hidden, dropout 0.5, lr 0.01, L2 5e-4 on the first
    layer for GCN / every layer otherwise, 200 epochs, stop when the validation loss + L2 exceeds the
    mean of the last 10; the model where it stopped); GAT: the GAT paper (8×8, dropout 0.6, lr 0.005,
    up to 1000 epochs, patience 100 on validation accuracy and loss, the best-validation epoch)."""
    torch.manual_seed(seed)
    gat = kind == "gat"
    hidden, dropout, lr, epochs = (8, 0.6, 0.005, 1000) if gat else (16, 0.5, 0.01, 200)
    model = NodeNet(kind, data.num_features, int(data.y.max()) + 1, hidden, dropout, bias=gat)
    groups = [{"params": model.first.parameters(), "weight_decay": 5e-4},
              {"params": model.second.parameters(), "weight_decay": 0.0 if kind == "gcn" else 5e-4}]
    opt = torch.optim.Adam(groups, lr=lr)
    tr, va, te = (torch.tensor(split[s]) for s in ("train", "val", "test"))
    losses, best, best_loss, best_loss_epoch = [], (-1.0, float("inf"), 0.0, 0), float("inf"), 0
    for epoch in range(1, epochs + 1):
        model.train(); opt.zero_grad()
        F.cross_entropy(model(data)[tr], data.y[tr]).backward(); opt.step()
        model.eval()
        with torch.no_grad():
            out = model(data)
            vloss = F.cross_entropy(out[va], data.y[va]).item()
            vacc = (out[va].argmax(1) == data.y[va]).float().mean().item()
            tacc = (out[te].argmax(1) == data.y[te]).float().mean().item()
        if gat:
            if vacc > best[0] or (vacc == best[0] and vloss < best[1]): best = (vacc, vloss, tacc, epoch)
            if vloss < best_loss: best_loss, best_loss_epoch = vloss, epoch
            if epoch - max(best_loss_epoch, best[3]) >= 100: break
        else:
            l2 = sum((p ** 2).sum().item() for n, p in model.first.named_parameters() if n.endswith("weight"))
            losses.append(vloss + 0.5 * 5e-4 * l2)
            best = (vacc, vloss, tacc, epoch)
            if len(losses) > 10 and losses[-1] > sum(losses[-11:-1]) / 10: break
    return best[2]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", default="MUTAG")
    p.add_argument("--conv", default="gcn", choices=["gcn", "gin", "sage", "gat"])
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--no-standardize-features", dest="standardize", action="store_false",
                   help="feed raw node features (Slate's --no-standardize-features)")
    p.add_argument("--print-folds", metavar="DATASET")
    p.add_argument("--print-standardization", metavar="DATASET",
                   help="each fold's feature mean and std (training graphs), to compare with Slate")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    root = Path(os.environ.get("SLATE_DATA", "data"))
    if a.print_folds or a.print_standardization:
        graphs = tu_dataset(root, a.print_folds or a.print_standardization)
        folds = stratified_folds([int(g.y) for g in graphs], 10, a.seed)
        if a.print_folds:
            print(json.dumps([{"train": t, "validation": v, "test": s} for t, v, s in folds]))
        else:
            stats = [feature_statistics([graphs[i] for i in t]) for t, _, _ in folds]
            print(json.dumps([{"mean": m.tolist(), "std": d.tolist()} for m, d in stats]))
        return
    node = a.dataset.lower() == "cora"
    data = cora(root) if node else tu_dataset(root, a.dataset)
    for seed in a.seeds:
        t0 = time.time()
        folds = {}                                        # per fold, as Slate's per_fold and epochs
        if node:
            acc = run_nodes(*data, a.conv, seed)
        else:
            per_fold, chosen = run_graphs(data, a.conv, seed, standardize=a.standardize)
            acc, folds = sum(per_fold) / len(per_fold), {"per_fold": [round(x, 4) for x in per_fold], "epochs": chosen}
        print(json.dumps({"library": "pyg", "dataset": a.dataset, "conv": a.conv, "seed": seed, "accuracy": round(acc, 4),
                          "wall_seconds": round(time.time() - t0, 1), "threads": a.threads,
                          "standardized": a.standardize and not node, **folds}), flush=True)


if __name__ == "__main__":
    main()
