/// Slate — deep learning from a clean slate.
///
/// The engine: a `Tensor` on pooled `Float` storage, a hand-written reverse-mode autograd,
/// ops whose backward sits under their forward, layers, optimizers and safetensors IO.
/// It knows nothing about GPT, graphs or reinforcement learning.
public enum Slate {
    /// The library version, printed by `slate --version` and stored in checkpoints. The one place
    /// it is written: releases tag the repository with it, and CHANGELOG.md has an entry for it.
    public static let version = "0.2.0"
}
