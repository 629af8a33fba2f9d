#!/usr/bin/env python3
"""Offline check of convert-planetoid.py (no network needed).

Rebuilds Planetoid-style pickles (ind.cora.*) from the converted files in $SLATE_DATA/cora using
numpy and scipy — shuffled test.index, duplicate adjacency entries, one self loop, CSR features
as float32 — then runs the converter on them and checks that nodes.tsv, edges.tsv and split.tsv
come back byte for byte. Run: python3 scripts/test-convert-planetoid.py [DATA_DIR]
"""
import collections
import filecmp
import os
import pickle
import random
import subprocess
import sys
import tempfile

import numpy as np
import scipy.sparse as sp

here = os.path.dirname(os.path.abspath(__file__))
data = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SLATE_DATA") or os.path.join(here, "..", "..", "shared", "data")
cora = os.path.join(data, "cora")

rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(cora, "nodes.tsv"))][1:]
n, f, c = len(rows), 1433, 7
labels = [int(r[1]) for r in rows]
feats = [[int(x) for x in r[2].split(",")] for r in rows]
edges = [tuple(map(int, l.split("\t"))) for l in list(open(os.path.join(cora, "edges.tsv")))[1:]]

def csr(node_ids):
    m = sp.lil_matrix((len(node_ids), f), dtype=np.float32)
    for k, i in enumerate(node_ids):
        m[k, feats[i]] = 1.0
    return m.tocsr()

def onehot(node_ids):
    y = np.zeros((len(node_ids), c), dtype=np.int32)
    for k, i in enumerate(node_ids):
        y[k, labels[i]] = 1
    return y

rng = random.Random(0)
test_index = list(range(1708, 2708)); rng.shuffle(test_index)
graph = collections.defaultdict(list)
for a, b in edges:
    graph[a].append(b); graph[b].append(a)
graph[0].append(graph[0][0])   # duplicate entry, as in the real file (10,858 entries, 10,556 distinct)
graph[5].append(5)             # a self loop must be dropped

with tempfile.TemporaryDirectory() as tmp:
    def dump(name, obj):
        with open(os.path.join(tmp, f"ind.cora.{name}"), "wb") as fh:
            pickle.dump(obj, fh, protocol=2)
    dump("x", csr(range(140))); dump("y", onehot(range(140)))
    dump("allx", csr(range(1708))); dump("ally", onehot(range(1708)))
    dump("tx", csr(test_index)); dump("ty", onehot(test_index))   # k-th test row belongs to node test_index[k]
    dump("graph", graph)
    with open(os.path.join(tmp, "ind.cora.test.index"), "w") as fh:
        fh.write("\n".join(map(str, test_index)) + "\n")
    out = os.path.join(tmp, "out")
    subprocess.run([sys.executable, os.path.join(here, "convert-planetoid.py"), tmp, out], check=True)
    bad = [name for name in ("nodes.tsv", "edges.tsv", "split.tsv")
           if not filecmp.cmp(os.path.join(out, name), os.path.join(cora, name), shallow=False)]
    if bad:
        sys.exit(f"FAIL: converted {bad} differ from {cora}")
    # The converter must refuse arbitrary classes in a pickle.
    with open(os.path.join(tmp, "ind.cora.y"), "wb") as fh:
        pickle.dump(collections.OrderedDict(), fh, protocol=2)
    r = subprocess.run([sys.executable, os.path.join(here, "convert-planetoid.py"), tmp, out], capture_output=True, text=True)
    if r.returncode == 0 or "refusing" not in r.stderr:
        sys.exit(f"FAIL: converter accepted an unexpected class: {r.stderr}")
print("OK: round trip reproduces nodes.tsv, edges.tsv, split.tsv byte for byte; foreign pickles refused")
