#!/usr/bin/env python3
"""Builds the seed corpus of each fuzz target from the real files (run from Fuzz/):
    python3 make-corpus.py ../../shared/data ../models
Seeds stay a few KB: real headers with their tensors shrunk, and a few graphs / nodes of the
real datasets, so the fuzzer starts from inputs that parse."""
import json, os, struct, sys

data, models = sys.argv[1], sys.argv[2]
out = "Corpus"

def write(target, name, content):
    os.makedirs(f"{out}/{target}", exist_ok=True)
    with open(f"{out}/{target}/{name}", "wb") as f:
        f.write(content if isinstance(content, bytes) else content.encode())

def safetensors(tensors, metadata):
    """tensors: [(name, dtype, shape, raw bytes)]"""
    header, offset, blob = {}, 0, b""
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw); blob += raw
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + blob

# safetensors: the real RL policy's metadata with tiny tensors, and one of each dtype.
with open(f"{models}/cartpole-ppo/policy.safetensors", "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    real = json.loads(f.read(n))
meta = real.get("__metadata__", {})
f32 = lambda k: struct.pack(f"<{k}f", *[0.5 * i - 1 for i in range(k)])
write("FuzzSafeTensors", "policy-small", safetensors([("actor.0.weight", "F32", [2, 3], f32(6)), ("actor.0.bias", "F32", [2], f32(2))], meta))
write("FuzzSafeTensors", "dtypes", safetensors([
    ("a", "F16", [3], struct.pack("<3e", 1.0, -2.0, 0.5)), ("b", "BF16", [2], b"\x80\x3f\x00\x40"),
    ("c", "F64", [2], struct.pack("<2d", 1.5, -3.0)), ("d", "I64", [1], struct.pack("<q", 7)),
    ("e", "I32", [2], struct.pack("<2i", -1, 3)), ("f", "F32", [0, 4], b"")], {"note": "x"}))
write("FuzzSafeTensors", "empty", safetensors([], {}))

# GPT config and vocabulary: the shipped model's values and a small variant.
write("FuzzGPTConfig", "shakespeare", json.dumps({"n_layer": 4, "n_head": 4, "n_embd": 128, "block_size": 64, "vocab_size": 65, "bias": False, "dropout": 0.0}, sort_keys=True))
write("FuzzGPTConfig", "tiny", json.dumps({"n_layer": 1, "n_head": 2, "n_embd": 8, "block_size": 4, "vocab_size": 5, "bias": True, "dropout": 0.1}, sort_keys=True))
text = open(f"{data}/tinyshakespeare.txt", encoding="utf-8").read()
write("FuzzGPTVocabulary", "shakespeare", json.dumps(sorted(set(text))))
write("FuzzGPTVocabulary", "unicode", json.dumps(["a", "é", "€", "𝄞", "\n"], ensure_ascii=False))

# TU: the first graphs of MUTAG (labels, edge labels) and PROTEINS (labels, attributes).
def tu(name, graphs):
    base = f"{data}/tu/{name}/{name}_"
    lines = lambda s: open(base + s + ".txt").read().splitlines()
    indicator = [int(x) for x in lines("graph_indicator")]
    nodes = sum(1 for g in indicator if g <= graphs)
    edges = [l for l in lines("A") if int(l.split(",")[0]) <= nodes]
    files = ["\n".join(edges), "\n".join(map(str, indicator[:nodes])), "\n".join(lines("graph_labels")[:graphs])]
    for suffix in ["node_labels", "node_attributes", "edge_labels"]:
        if os.path.exists(base + suffix + ".txt"):
            rows = lines(suffix)
            files.append("\n".join(rows[:len(edges)] if suffix == "edge_labels" else rows[:nodes]))
        else:
            files.append("")          # an empty section: the optional file is absent
    sections = files
    return "\n@@\n".join(sections) + "\n"
write("FuzzTUDataset", "mutag-2", tu("MUTAG", 2))
write("FuzzTUDataset", "proteins-2", tu("PROTEINS", 2))

# Planetoid: 8 train, 8 val and 8 test nodes of Cora, renumbered, with the edges among them.
rows = open(f"{data}/cora/nodes.tsv").read().splitlines()
split = dict(l.split("\t") for l in open(f"{data}/cora/split.tsv").read().splitlines()[1:])
pick = [i for s in ["train", "val", "test"] for i in sorted(int(k) for k, v in split.items() if v == s)[:8]]
new = {old: k for k, old in enumerate(pick)}
nodes = [rows[0]] + ["\t".join([str(new[i])] + rows[i + 1].split("\t")[1:]) for i in pick]
edges = ["source\ttarget"] + [f"{new[a]}\t{new[b]}" for a, b in (map(int, l.split("\t")) for l in open(f"{data}/cora/edges.tsv").read().splitlines()[1:]) if a in new and b in new]
splits = ["node\tsplit"] + [f"{new[i]}\t{split[str(i)]}" for i in pick]
write("FuzzPlanetoid", "cora-24", "\n".join(nodes) + "\n@@\n" + "\n".join(edges) + "\n@@\n" + "\n".join(splits) + "\n")
karate = open(f"{data}/karate/labels.tsv").read() + "@@\n" + open(f"{data}/karate/edges.tsv").read()
write("FuzzPlanetoid", "karate", karate)
