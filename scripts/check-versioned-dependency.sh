#!/usr/bin/env bash
# Proves that Slate works as a versioned dependency: clones this repository (its committed HEAD)
# to a temporary folder, tags the clone with `Slate.version`, then builds (release) and runs a
# small outside package that depends on that tag with `.package(url: "file://…", from: …)` and
# uses the four library products. Exits non-zero when resolution, the build or the run fails.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/.*static let version = "\([0-9.]*\)".*/\1/p' "$repo/Sources/Slate/Slate.swift")
[ -n "$version" ] || { echo "Error: no version found in Sources/Slate/Slate.swift" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

git clone --quiet "$repo" "$tmp/slate"
git -C "$tmp/slate" -c user.name=check -c user.email=check@localhost tag -f "$version" >/dev/null

mkdir -p "$tmp/outside/Sources/outside"
cat > "$tmp/outside/Package.swift" <<SWIFT
// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "outside",
    platforms: [.macOS(.v13)],
    dependencies: [.package(url: "file://$tmp/slate", from: "$version")],
    targets: [
        .executableTarget(name: "outside", dependencies: [
            .product(name: "Slate", package: "slate"),
            .product(name: "SlateGPT", package: "slate"),
            .product(name: "SlateGraph", package: "slate"),
            .product(name: "SlateRL", package: "slate"),
        ]),
    ]
)
SWIFT
cat > "$tmp/outside/Sources/outside/main.swift" <<'SWIFT'
import Slate
import SlateGPT
import SlateGraph
import SlateRL

// The engine: an XOR MLP, trained through the public API only.
let x = Tensor([0, 0, 0, 1, 1, 0, 1, 1], shape: [4, 2])
let y = [0, 1, 1, 0]
var generator = RandomGenerator(seed: 1)
let mlp = MLP(sizes: [2, 8, 2], activation: .tanh, generator: &generator)
let adam = Adam(mlp.parameters(), learningRate: 0.05)
for _ in 0..<300 {
    adam.zeroGrad()
    mlp(x).crossEntropy(targets: y).backward()
    adam.step()
}
let correct = zip(withNoGrad { mlp(x) }.argmax(), y).filter { $0 == $1 }.count
print("slate \(Slate.version): xor \(correct)/4")

// The showcases: one forward of each.
let gpt = try GPT(GPTConfig(nLayer: 1, nHead: 2, nEmbd: 16, blockSize: 8, vocabSize: 10), seed: 1)
let loss = gpt.loss([1, 2, 3, 4], targets: [2, 3, 4, 5], batch: 1).item()
let graph = try GraphDataset.graph(nodeFeatures: [[1], [1], [1]], edges: [(0, 1), (1, 2)], label: 0)
let cartPole = try EnvironmentSpec.builtIn("CartPole-v1")
print("gpt loss finite: \(loss.isFinite); graph edges: \(graph.edgeCount); cartpole threshold: \(cartPole.solvedThreshold!)")
SWIFT

cd "$tmp/outside"
swift build -c release
out=$(.build/release/outside)
echo "$out"
grep -q "^slate $version: xor 4/4$" <<<"$out" || { echo "Error: the outside package did not train XOR through Slate $version" >&2; exit 1; }
grep -q "gpt loss finite: true; graph edges: 4; cartpole threshold: 475" <<<"$out" || { echo "Error: the showcase products did not answer as expected" >&2; exit 1; }
echo "ok: an outside package depends on Slate $version by version (from: \"$version\") and trains through its public API"
