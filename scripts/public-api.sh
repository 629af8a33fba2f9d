#!/usr/bin/env bash
# Counts the public declarations of each library module (declarations written `public` or `open`:
# types, functions, properties, initialisers, cases), e.g. to compare a branch with main:
#   scripts/public-api.sh            # this tree
#   scripts/public-api.sh main       # the tree of a git revision
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-}
pattern='^\s*(@[A-Za-z_]+(\([^)]*\))?\s+)*(public|open)\s+((private|internal)\(set\)\s+)?((final|static|override|mutating|convenience|required|indirect|class|prefix|postfix|infix)\s+)*(func|var|let|init|subscript|struct|class|enum|protocol|typealias|case)\b'
for module in Slate SlateBench SlateGPT SlateGraph SlateRL; do
  if [ -n "$rev" ]; then
    files=$(git ls-tree -r --name-only "$rev" -- "Sources/$module" | grep '\.swift$' || true)
    n=0
    for f in $files; do n=$((n + $(git show "$rev:$f" | grep -cE "$pattern" || true))); done
  else
    n=$( (cat $(find "Sources/$module" -name '*.swift' 2>/dev/null) /dev/null) | grep -cE "$pattern" || true)
  fi
  printf '%-11s %4d\n' "$module" "$n"
done
