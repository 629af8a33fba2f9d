#!/usr/bin/env python3
"""Write Zachary's karate club in Slate's layout: OUT_DIR/edges.tsv and OUT_DIR/labels.tsv.

Its public home here is networkx (`networkx.karate_club_graph()`, BSD-3), which ships the graph:

    python3 scripts/export-karate.py "$SLATE_DATA/karate"

edges.tsv: source<TAB>target<TAB>weight, each undirected edge once with source < target, sorted.
labels.tsv: node<TAB>label<TAB>club with label 0 = "Mr. Hi", 1 = "Officer".
"""
import os
import sys

import networkx as nx


def write(path, lines):
    with open(path + ".tmp", "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(path + ".tmp", path)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: export-karate.py OUT_DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    g = nx.karate_club_graph()
    edges = sorted((min(u, v), max(u, v), d.get("weight", 1)) for u, v, d in g.edges(data=True))
    write(os.path.join(out, "edges.tsv"), ["source\ttarget\tweight"] + [f"{u}\t{v}\t{w}" for u, v, w in edges])
    clubs = {"Mr. Hi": 0, "Officer": 1}
    write(os.path.join(out, "labels.tsv"),
          ["node\tlabel\tclub"] + [f"{n}\t{clubs[g.nodes[n]['club']]}\t{g.nodes[n]['club']}" for n in sorted(g.nodes)])
    print(f"{out}: {g.number_of_nodes()} nodes, {len(edges)} edges")


if __name__ == "__main__":
    main()
