#!/usr/bin/env python3
"""Convert the Planetoid files of tkipf/gcn (ind.cora.{x,y,tx,ty,allx,ally,graph,test.index})
into the plain-text layout Slate reads: nodes.tsv, edges.tsv, split.tsv (see data/README.md).

Usage: convert-planetoid.py IN_DIR OUT_DIR [--name cora]

The procedure is the standard one of Kipf & Welling's `load_data` (gcn/utils.py):
  features = vstack(allx, tx), labels = vstack(ally, ty);
  rows at positions test.index receive the rows at positions sorted(test.index);
  label = argmax of the one-hot row; edges = adjacency lists of `graph`, undirected, deduplicated;
  train = 0..len(y)-1, val = len(y)..len(y)+499, test = sorted(test.index).
Features are written raw (binary, as column indices); no normalisation.

The .x/.y/... files are Python 2 pickles of scipy.sparse / numpy objects. This script needs
neither library: a restricted unpickler rebuilds just the arrays it needs from their raw bytes
(numpy's ndarray state and scipy's CSR state are stable, documented layouts). Nothing else
from the pickle is executed: any other class is refused.
"""
import argparse
import collections
import os
import pickle
import struct
import sys
import tempfile


class FakeDType:
    """numpy.dtype rebuilt from its pickled state: only kind, size and byte order are kept."""

    def __init__(self, spec, *_):
        self.spec = spec  # e.g. 'f4', 'i8', 'f8'
        self.order = "<"

    def __setstate__(self, state):
        if len(state) > 1 and state[1] in ("<", ">", "|", "="):
            self.order = "<" if state[1] in ("|", "=") else state[1]

    def struct_format(self, count):
        codes = {"f4": "f", "f8": "d", "i4": "i", "i8": "q", "u1": "B", "i1": "b", "b1": "?", "u4": "I", "u8": "Q", "i2": "h"}
        if self.spec not in codes:
            raise ValueError(f"unsupported numpy dtype {self.spec!r} in pickle")
        return f"{self.order}{count}{codes[self.spec]}"


class FakeArray:
    """numpy.ndarray rebuilt from its pickled state (version, shape, dtype, fortran, raw bytes)."""

    def __init__(self, *_):
        self.shape, self.values = (), []

    def __setstate__(self, state):
        _version, shape, dtype, fortran, raw = state[:5]
        if isinstance(raw, str):  # Python 2 byte strings arrive as latin-1 text
            raw = raw.encode("latin1")
        count = 1
        for d in shape:
            count *= d
        self.shape = tuple(shape)
        flat = list(struct.unpack(dtype.struct_format(count), raw[: count * struct.calcsize(dtype.struct_format(1))]))
        if fortran and len(shape) == 2:
            rows, cols = shape
            flat = [flat[c * rows + r] for r in range(rows) for c in range(cols)]
        self.values = flat

    def rows(self):
        """Rows of a 2-D array as lists."""
        rows, cols = self.shape
        return [self.values[r * cols:(r + 1) * cols] for r in range(rows)]


def reconstruct(cls, *_):
    return cls()


class FakeCSR:
    """scipy.sparse.csr_matrix rebuilt from its state dict (data, indices, indptr, shape)."""

    def __setstate__(self, state):
        self.__dict__.update(state)

    def row_columns(self):
        ptr, idx = self.indptr.values, self.indices.values
        shape = self.__dict__.get("_shape") or self.__dict__.get("shape")
        return [sorted(set(int(c) for c, v in zip(idx[ptr[r]:ptr[r + 1]], self.data.values[ptr[r]:ptr[r + 1]]) if v != 0))
                for r in range(shape[0])]


class PlanetoidUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if name == "_reconstruct" and module.startswith("numpy"):
            return reconstruct
        if name == "ndarray" and module.startswith("numpy"):
            return FakeArray
        if name == "dtype" and module.startswith("numpy"):
            return FakeDType
        if name in ("csr_matrix", "csr_array") and module.startswith("scipy.sparse"):
            return FakeCSR
        if (module, name) == ("_codecs", "encode"):  # how Python 3 writes bytes at protocol 2
            import codecs
            return codecs.encode
        if module == "copy_reg" or module == "copyreg":
            if name == "_reconstructor":
                return lambda cls, base, state: cls.__new__(cls)
        if (module, name) in (("collections", "defaultdict"), ("__builtin__", "list"), ("builtins", "list"),
                              ("__builtin__", "object"), ("builtins", "object"), ("__builtin__", "int"), ("builtins", "int")):
            return getattr(collections if module == "collections" else __import__("builtins"), name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a Planetoid file")


def load(path):
    with open(path, "rb") as f:
        return PlanetoidUnpickler(f, encoding="latin1").load()


def dense_rows(obj):
    return obj.row_columns() if isinstance(obj, FakeCSR) else [[c for c, v in enumerate(row) if v != 0] for row in obj.rows()]


def convert(in_dir, out_dir, name="cora"):
    part = lambda s: os.path.join(in_dir, f"ind.{name}.{s}")
    y, allx, ally, tx, ty, graph = (load(part(s)) for s in ("y", "allx", "ally", "tx", "ty", "graph"))
    with open(part("test.index")) as f:
        test_index = [int(line) for line in f if line.strip()]
    test_sorted = sorted(test_index)
    if test_sorted != list(range(test_sorted[0], test_sorted[-1] + 1)):
        raise SystemExit(f"{name}: test.index has gaps (Citeseer-style); only contiguous test ids are supported")
    features = dense_rows(allx) + dense_rows(tx)                       # (N, F) as column lists
    labels = [row.index(max(row)) for row in ally.rows() + ty.rows()]  # argmax of one-hot rows
    # features[test_index[k]] <- features[test_sorted[k]], same for labels
    feat_copy, lab_copy = list(features), list(labels)
    for k, node in enumerate(test_index):
        features[node] = feat_copy[test_sorted[k]]
        labels[node] = lab_copy[test_sorted[k]]
    n = len(features)
    edges = set()
    for src, targets in graph.items():
        for dst in targets:
            if src != dst and src < n and dst < n:
                edges.add((min(src, dst), max(src, dst)))
    train = list(range(y.shape[0]))
    val = list(range(y.shape[0], y.shape[0] + 500))
    os.makedirs(out_dir, exist_ok=True)
    write(os.path.join(out_dir, "nodes.tsv"), ["node\tlabel\tfeature_indices"]
          + [f"{i}\t{labels[i]}\t{','.join(map(str, features[i]))}" for i in range(n)])
    write(os.path.join(out_dir, "edges.tsv"), ["source\ttarget"] + [f"{a}\t{b}" for a, b in sorted(edges)])
    split = {i: "train" for i in train} | {i: "val" for i in val} | {i: "test" for i in test_sorted}
    write(os.path.join(out_dir, "split.tsv"), ["node\tsplit"] + [f"{i}\t{split[i]}" for i in sorted(split)])
    print(f"{name}: {n} nodes, {len(edges)} undirected edges, split {len(train)}/{len(val)}/{len(test_sorted)} -> {out_dir}")


def write(path, lines):
    """Atomic write: temp file in the same folder, then rename."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    with os.fdopen(fd, "w", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("in_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--name", default="cora")
    a = ap.parse_args()
    try:
        convert(a.in_dir, a.out_dir, a.name)
    except (OSError, pickle.UnpicklingError, ValueError) as e:
        sys.exit(f"convert-planetoid: {e}")
