#!/usr/bin/env bash
# Downloads the datasets listed in data/manifest.tsv into $SLATE_DATA (default ./data), checking
# every file against its SHA-256. Files already present with the right hash are left alone.
#
# Usage: scripts/fetch-data.sh [PATH ...]    (default: every file in the manifest)
#   PATH is a manifest path (tinyshakespeare.txt) or a folder of them (tu/MUTAG).
#   e.g. scripts/fetch-data.sh tinyshakespeare.txt       make data FILES=tinyshakespeare.txt
#
# Manifest: data/manifest.tsv, one file a line: path<TAB>sha256<TAB>url (no header; '#' comments).
# A plain http(s):// or file:// URL is downloaded here (curl, or wget), to a temporary file beside
# the target, checked, then renamed into place: an interrupted or wrong download never leaves a
# file under its real name. The graph datasets (tu/, cora/ and Cora's raw planetoid/ inputs, which
# come from zips or a conversion) are handed to scripts/fetch-graph-data.sh, once per dataset.
# Offline, or on a checksum mismatch, it says what failed and where to put the file by hand, and
# exits non-zero. Environment: SLATE_DATA (target folder), SLATE_MANIFEST (another manifest).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DATA="${SLATE_DATA:-./data}"
MANIFEST="${SLATE_MANIFEST:-$ROOT/data/manifest.tsv}"
SHARED_HINT="$(cd "$ROOT/.." && pwd)/shared/data"   # where CI keeps a copy

say() { echo "fetch-data: $*"; }
err() { echo "fetch-data: $*" >&2; }

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

# download URL OUT: writes URL to OUT; non-zero when it cannot be fetched.
download() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 2 --connect-timeout 15 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1 && [[ $1 != file://* ]]; then
    wget -q --tries=2 --timeout=15 -O "$2" "$1"
  elif [[ $1 == file://* ]]; then
    cp "${1#file://}" "$2"
  else
    err "neither curl nor wget is installed (sudo apt install curl)"; return 1
  fi
}

# by_hand PATH SHA: how to put a file in place without this script.
by_hand() {
  local where=""
  [[ -f $SHARED_HINT/$1 ]] && where=" (a copy is in $SHARED_HINT/$1)"
  cat >&2 <<MSG
  To put it there by hand: save the file as $DATA/$1$where,
  check it with  sha256sum $DATA/$1  (expect $2),
  then run this script again; or point SLATE_DATA at a folder that already has the data.
MSG
}

# fetch_one PATH SHA URL: downloads one plain-URL entry; non-zero on failure.
fetch_one() {
  local path=$1 want=$2 url=$3 target="$DATA/$1" tmp got
  mkdir -p "$(dirname "$target")"
  tmp="$(dirname "$target")/.$(basename "$target").part.$$"
  say "$path: downloading $url"
  if ! download "$url" "$tmp" 2>/dev/null; then
    rm -f "$tmp"
    err "$path: could not download $url (offline, blocked by a proxy, or the file moved)."
    by_hand "$path" "$want"; return 1
  fi
  got="$(sha256 "$tmp")"
  if [[ $got != "$want" ]]; then
    rm -f "$tmp"
    err "$path: SHA-256 mismatch for the download from $url"
    err "  got      $got"
    err "  expected $want"
    err "  (corrupt download, a captive portal page, or the file changed upstream). Nothing was installed."
    by_hand "$path" "$want"; return 1
  fi
  mv -f "$tmp" "$target"
  say "$path: downloaded, SHA-256 ok"
}

[[ -f $MANIFEST ]] || { err "the manifest $MANIFEST is missing"; exit 1; }

paths=() shas=() urls=()
while IFS=$'\t' read -r path sha url || [[ -n $path ]]; do
  [[ -z $path || $path == \#* ]] && continue
  [[ $sha =~ ^[0-9a-f]{64}$ && -n $url ]] || { err "$MANIFEST: malformed line for '$path' (want path<TAB>sha256<TAB>url)"; exit 1; }
  paths+=("$path") shas+=("$sha") urls+=("$url")
done <"$MANIFEST"

# The manifest entries the arguments ask for (a path, or a folder prefix).
wanted=()
if (($# == 0)); then
  wanted=("${!paths[@]}")
else
  for arg in "$@"; do
    arg="${arg%/}" found=0
    for i in "${!paths[@]}"; do
      if [[ ${paths[$i]} == "$arg" || ${paths[$i]} == "$arg"/* ]]; then wanted+=("$i"); found=1; fi
    done
    ((found)) || { err "'$arg' is not in $MANIFEST (its paths: tinyshakespeare.txt, tu/MUTAG/..., cora/...)"; exit 1; }
  done
fi

failed=0 graph_sets=()
for i in "${wanted[@]}"; do
  path=${paths[$i]} want=${shas[$i]} url=${urls[$i]}
  if [[ -f $DATA/$path ]]; then
    got="$(sha256 "$DATA/$path")"
    if [[ $got == "$want" ]]; then say "$path: present, SHA-256 ok"; continue; fi
    err "$path: $DATA/$path exists but its SHA-256 is $got, expected $want."
    err "  It was left untouched: delete it to download it again, or replace it by hand."
    failed=1; continue
  fi
  # Graph datasets (zip members, converted Cora and its raw Planetoid inputs) go through
  # fetch-graph-data.sh, once per dataset; plain files are downloaded here.
  case $path in
    tu/*) set_name=$(cut -d/ -f2 <<<"$path") ;;
    cora/* | planetoid/*) set_name=cora ;;
    *) set_name="" ;;
  esac
  if [[ $url == generated:* ]]; then
    continue  # made by scripts/generate-data.sh (karate from networkx), not downloaded
  elif [[ -n $set_name ]]; then
    [[ " ${graph_sets[*]-} " == *" $set_name "* ]] || graph_sets+=("$set_name")
  elif [[ $url =~ ^(https?|file):// && $url != *'#'* ]]; then
    fetch_one "$path" "$want" "$url" || failed=1
  else
    err "$path: no downloader for '$url'"; by_hand "$path" "$want"; failed=1
  fi
done
if ((${#graph_sets[@]})); then
  SLATE_DATA="$DATA" SLATE_MANIFEST="$MANIFEST" "$ROOT/scripts/fetch-graph-data.sh" "${graph_sets[@]}" || failed=1
fi
exit "$failed"
