#!/usr/bin/env bash
# Downloads the graph datasets of SlateGraph into $SLATE_DATA (default ./data), in the layout of
# ../shared/data: tu/MUTAG, tu/PROTEINS (TU Dortmund zips) and cora/ (Planetoid files of tkipf/gcn,
# converted by scripts/convert-planetoid.py; the raw files stay in planetoid/). Every file is checked against its SHA-256 in
# data/manifest.tsv (path<TAB>sha256<TAB>url); files already present and correct are kept.
#
# Usage: scripts/fetch-graph-data.sh [MUTAG] [PROTEINS] [cora]      (default: all three)
# Mirrors (e.g. file:// for offline tests): SLATE_TU_BASE, SLATE_PLANETOID_BASE.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DATA="${SLATE_DATA:-./data}"
MANIFEST="${SLATE_MANIFEST:-$ROOT/data/manifest.tsv}"
TU_BASES="${SLATE_TU_BASE:-https://www.chrsmrrs.com/graphkerneldatasets https://ls11-www.cs.tu-dortmund.de/people/morris/graphkerneldatasets}"
PLANETOID_BASE="${SLATE_PLANETOID_BASE:-https://raw.githubusercontent.com/tkipf/gcn/39a4089fe72ad9f055ed6fdb9746abdcfebc4d81/gcn/data}"

sha() { sha256sum "$1" | cut -d' ' -f1; }
expected_sha() { awk -F'\t' -v p="$1" '$1 == p { print $2 }' "$MANIFEST"; }

# fetch URL OUT: download to OUT (atomically); returns non-zero when unreachable.
fetch() {
    local tmp="$2.part.$$"
    if curl -fsSL --retry 2 --connect-timeout 15 -o "$tmp" "$1" 2>/dev/null; then mv "$tmp" "$2"; return 0; fi
    rm -f "$tmp"; return 1
}

offline() {
    cat >&2 <<MSG
fetch-graph-data: could not download $1
  (offline, or the host moved). Put the files by hand into $DATA/$2 — same layout and names as
  described in data/README.md (a copy of ../shared/data/$2 is fine) — then run this script again
  to verify their SHA-256, or point SLATE_DATA at a folder that already has them.
MSG
    exit 1
}

# verify PATH [FILE]: checks FILE (default $DATA/PATH) against the manifest entry PATH; exits on mismatch
# (a downloaded FILE that fails is deleted, so nothing wrong is left in $DATA).
verify() {
    local want got file="${2:-$DATA/$1}"
    want="$(expected_sha "$1")"
    [ -n "$want" ] || { echo "fetch-graph-data: $1 is not in $MANIFEST" >&2; exit 1; }
    got="$(sha "$file")"
    if [ "$got" != "$want" ]; then
        [ -z "${2:-}" ] || rm -f "$file"
        echo "fetch-graph-data: SHA-256 mismatch for $1: got $got, expected $want (corrupt download or changed upstream file). Nothing was installed for it." >&2
        exit 1
    fi
}

# present_and_valid PATH...: true when all files exist with the right hash.
present_and_valid() {
    local p want
    for p in "$@"; do
        [ -f "$DATA/$p" ] || return 1
        want="$(expected_sha "$p")"
        [ "$(sha "$DATA/$p")" = "$want" ] || return 1
    done
}

tu_files() { awk -F'\t' -v d="tu/$1/" 'index($1, d) == 1 { print $1 }' "$MANIFEST"; }

fetch_tu() {
    local name="$1" files tmp base ok=0
    files=$(tu_files "$name")
    [ -n "$files" ] || { echo "fetch-graph-data: no manifest entries for tu/$name" >&2; exit 1; }
    # shellcheck disable=SC2086
    if present_and_valid $(echo "$files" | grep -v README.txt); then echo "tu/$name: present, SHA-256 ok"; return; fi
    tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' RETURN
    for base in $TU_BASES; do
        if fetch "$base/$name.zip" "$tmp/$name.zip"; then ok=1; break; fi
    done
    [ "$ok" = 1 ] || offline "$name.zip from $TU_BASES" "tu/$name"
    (cd "$tmp" && unzip -q "$name.zip")
    mkdir -p "$DATA/tu/$name"
    for p in $files; do
        [ -f "$tmp/$name/$(basename "$p")" ] || { echo "fetch-graph-data: $name.zip has no $(basename "$p")" >&2; exit 1; }
        if [ "$(basename "$p")" = README.txt ] && [ "$(sha "$tmp/$name/README.txt")" != "$(expected_sha "$p")" ]; then
            echo "tu/$name: note: README.txt differs from the recorded copy (documentation only, data files are checked)"
        else
            verify "$p" "$tmp/$name/$(basename "$p")"
        fi
        cp "$tmp/$name/$(basename "$p")" "$DATA/$p.part" && mv "$DATA/$p.part" "$DATA/$p"
    done
    echo "tu/$name: downloaded, SHA-256 ok"
}

fetch_cora() {
    local s raw="$DATA/planetoid"
    if present_and_valid cora/nodes.tsv cora/edges.tsv cora/split.tsv; then echo "cora: present, SHA-256 ok"; return; fi
    mkdir -p "$raw" "$DATA/cora"
    for s in x y tx ty allx ally graph test.index; do
        if ! present_and_valid "planetoid/ind.cora.$s"; then
            fetch "$PLANETOID_BASE/ind.cora.$s" "$raw/ind.cora.$s" || offline "$PLANETOID_BASE/ind.cora.$s" "cora"
            verify "planetoid/ind.cora.$s" "$raw/ind.cora.$s"
        fi
    done
    python3 "$ROOT/scripts/convert-planetoid.py" "$raw" "$DATA/cora"
    for s in nodes edges split; do verify "cora/$s.tsv"; done
    echo "cora: downloaded and converted, SHA-256 ok"
}

[ -f "$MANIFEST" ] || { echo "fetch-graph-data: $MANIFEST is missing" >&2; exit 1; }
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(MUTAG PROTEINS cora)
for t in "${targets[@]}"; do
    case "$t" in
        cora) fetch_cora ;;
        karate) echo "karate: not downloadable as a file (it comes from networkx.karate_club_graph()); copy ../shared/data/karate into $DATA/karate" ;;
        *) fetch_tu "$t" ;;
    esac
done
