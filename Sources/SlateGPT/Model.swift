import Foundation
import Slate

/// One pre-LayerNorm transformer block (nanoGPT's `Block`):
///
///     x = x + attn(ln_1(x))      attn: c_attn (C -> 3C), fused causal attention, c_proj (C -> C)
///     x = x + mlp(ln_2(x))       mlp:  c_fc (C -> 4C), exact GELU, c_proj (4C -> C)
///
/// Weights use PyTorch's `nn.Linear` layout `[out, in]`.
public final class GPTBlock: Module {
    public var training = true
    public let ln1Weight: Tensor, ln1Bias: Tensor?             // (C)
    public let attnWeight: Tensor, attnBias: Tensor?           // (3C, C), (3C)
    public let attnProjWeight: Tensor, attnProjBias: Tensor?   // (C, C), (C)
    public let ln2Weight: Tensor, ln2Bias: Tensor?             // (C)
    public let fcWeight: Tensor, fcBias: Tensor?               // (4C, C), (4C)
    public let mlpProjWeight: Tensor, mlpProjBias: Tensor?     // (C, 4C), (C)

    /// A block with its weights zero (GPT's initialiser draws them in nanoGPT's order), LayerNorm
    /// weights one and biases zero.
    init(_ config: GPTConfig) {
        let c = config.nEmbd
        func weight(_ shape: [Int]) -> Tensor { Tensor.zeros(shape, requiresGrad: true) }
        func vector(_ n: Int) -> Tensor? { config.bias ? Tensor.zeros([n], requiresGrad: true) : nil }
        ln1Weight = Tensor.ones([c], requiresGrad: true); ln1Bias = vector(c)
        attnWeight = weight([3 * c, c]); attnBias = vector(3 * c)
        attnProjWeight = weight([c, c]); attnProjBias = vector(c)
        ln2Weight = Tensor.ones([c], requiresGrad: true); ln2Bias = vector(c)
        fcWeight = weight([4 * c, c]); fcBias = vector(4 * c)
        mlpProjWeight = weight([c, 4 * c]); mlpProjBias = vector(c)
    }

    /// The four Linear weights in construction order, with their (out, in) sizes.
    var linearWeights: [Tensor] { [attnWeight, attnProjWeight, fcWeight, mlpProjWeight] }

    /// nanoGPT's names for this block's parameters, in its `state_dict` order.
    public var localParameters: [(String, Tensor)] {
        var list: [(String, Tensor?)] = [
            ("ln_1.weight", ln1Weight), ("ln_1.bias", ln1Bias),
            ("attn.c_attn.weight", attnWeight), ("attn.c_attn.bias", attnBias),
            ("attn.c_proj.weight", attnProjWeight), ("attn.c_proj.bias", attnProjBias),
            ("ln_2.weight", ln2Weight), ("ln_2.bias", ln2Bias),
            ("mlp.c_fc.weight", fcWeight), ("mlp.c_fc.bias", fcBias),
            ("mlp.c_proj.weight", mlpProjWeight), ("mlp.c_proj.bias", mlpProjBias),
        ]
        list.removeAll { $0.1 == nil }
        return list.map { ($0.0, $0.1!) }
    }
}

/// nanoGPT's GPT: token and position embeddings, `n_layer` blocks, a final LayerNorm and an LM
/// head tied to the token embedding (the head's weight *is* `wte`).
public final class GPT: Module {
    public var training = true
    public let config: GPTConfig
    public let wte: Tensor                       // (V, C), also the LM head
    public let wpe: Tensor                       // (block_size, C)
    public let blocks: [GPTBlock]
    public let lnFWeight: Tensor, lnFBias: Tensor?   // (C)
    /// Draws dropout masks while training.
    public var dropoutGenerator: RandomGenerator

    /// A freshly initialised model, drawn exactly as nanoGPT's `GPT(config)` draws after
    /// `torch.manual_seed`: with `TorchGenerator(seed: 1337)` the weights are those of nanoGPT's
    /// seed-1337 run. PyTorch takes the draws in three passes, and so does this:
    /// 1. constructing the modules: `nn.Embedding` fills wte and wpe with N(0, 1), every
    ///    `nn.Linear` (lm_head included) fills its weight (and bias) with Kaiming-uniform values;
    /// 2. `apply(_init_weights)`, modules in order: embeddings and Linear weights ~ N(0, 0.02) —
    ///    lm_head last, and since it *is* wte, its draw is wte's final value;
    /// 3. every `c_proj.weight` again, ~ N(0, 0.02/√(2·n_layer)).
    /// Values that a later pass overwrites are skipped (their draws still taken). Dropout masks
    /// come from a separate generator seeded with `dropoutSeed`.
    public init(_ config: GPTConfig, generator g: inout TorchGenerator, dropoutSeed: UInt64 = 0) throws {
        try config.validate()
        self.config = config
        let (v, c, t) = (config.vocabSize, config.nEmbd, config.blockSize)
        wte = Tensor.zeros([v, c], requiresGrad: true)
        wpe = Tensor.zeros([t, c], requiresGrad: true)
        blocks = (0..<config.nLayer).map { _ in GPTBlock(config) }
        lnFWeight = Tensor.ones([c], requiresGrad: true)
        lnFBias = config.bias ? Tensor.zeros([c], requiresGrad: true) : nil
        dropoutGenerator = RandomGenerator(seed: dropoutSeed)

        // 1. Construction.
        g.skipNormal(count: v * c)                                         // wte
        g.skipNormal(count: t * c)                                         // wpe
        for block in blocks {
            for w in block.linearWeights { g.discard(w.count + (config.bias ? w.shape[0] : 0)) }
        }
        g.discard(v * c)                                                   // lm_head (no bias)
        // 2. _init_weights.
        func normal(_ w: Tensor, std: Float) { g.fillNormal(w.pointer, count: w.count, mean: 0, std: std) }
        g.skipNormal(count: v * c)                                         // wte, overwritten by lm_head
        normal(wpe, std: 0.02)
        for block in blocks {
            normal(block.attnWeight, std: 0.02)
            g.skipNormal(count: block.attnProjWeight.count)                 // redrawn in pass 3
            normal(block.fcWeight, std: 0.02)
            g.skipNormal(count: block.mlpProjWeight.count)                  // redrawn in pass 3
        }
        normal(wte, std: 0.02)                                             // lm_head = wte
        // 3. Residual projections.
        let residualStd = 0.02 / Float(2 * config.nLayer).squareRoot()
        for block in blocks {
            normal(block.attnProjWeight, std: residualStd)
            normal(block.mlpProjWeight, std: residualStd)
        }
    }

    /// A fresh model from `torch.manual_seed(seed)` (see the generator form).
    public convenience init(_ config: GPTConfig, seed: UInt64) throws {
        var g = TorchGenerator(seed: seed)
        try self.init(config, generator: &g, dropoutSeed: seed)
    }

    public var localParameters: [(String, Tensor)] {
        var list = [("transformer.wte.weight", wte), ("transformer.wpe.weight", wpe)]
        for (i, block) in blocks.enumerated() {
            for (name, p) in block.localParameters { list.append(("transformer.h.\(i).\(name)", p)) }
        }
        list.append(("transformer.ln_f.weight", lnFWeight))
        if let lnFBias { list.append(("transformer.ln_f.bias", lnFBias)) }
        return list
    }

    /// Number of parameters, counting the tied head once and (as nanoGPT reports it) without
    /// the position embedding.
    public var nonEmbeddingParameterCount: Int { parameterCount - wpe.count }

    private func dropout(_ x: Tensor) -> Tensor {
        guard training, config.dropout > 0 else { return x }
        return x.dropout(p: config.dropout, training: true, generator: &dropoutGenerator)
    }

    /// Logits for every position. `tokens` holds B rows of T ids (row-major, T ≤ block_size).
    /// Shapes: (B·T) ids -> (B, T, V).
    public func logits(_ tokens: [Int], batch b: Int) -> Tensor {
        let t = tokens.count / b
        precondition(t * b == tokens.count && t <= config.blockSize && t > 0,
                     "\(tokens.count) tokens do not make \(b) rows of at most \(config.blockSize)")
        let c = config.nEmbd
        let tok = wte.rows(tokens).reshaped([b, t, c])                    // (B, T, C)
        let pos = wpe.rows(Array(0..<t))                                    // (T, C)
        var x = dropout(tok + pos)                                          // (B, T, C)
        let residualDropout = training ? config.dropout : 0
        for block in blocks {
            let h = x.layerNorm(weight: block.ln1Weight, bias: block.ln1Bias)
            let qkv = h.linear(weight: block.attnWeight, bias: block.attnBias)          // (B, T, 3C)
            let att = qkv.causalSelfAttention(heads: config.nHead, dropout: training ? config.dropout : 0,
                                              generator: &dropoutGenerator)                 // (B, T, C)
            x = att.linear(weight: block.attnProjWeight, bias: block.attnProjBias,             // x + dropout(c_proj(att))
                           dropout: residualDropout, generator: &dropoutGenerator, addingTo: x)
            let h2 = x.layerNorm(weight: block.ln2Weight, bias: block.ln2Bias)
            let fc = h2.linear(weight: block.fcWeight, bias: block.fcBias).gelu()       // (B, T, 4C)
            x = fc.linear(weight: block.mlpProjWeight, bias: block.mlpProjBias,                // x + dropout(c_proj(fc))
                          dropout: residualDropout, generator: &dropoutGenerator, addingTo: x)
        }
        let xf = x.layerNorm(weight: lnFWeight, bias: lnFBias)
        return xf.linear(weight: wte, bias: nil)                            // (B, T, V), tied head
    }

    /// Mean next-token cross-entropy of `targets` (same layout as `tokens`).
    public func loss(_ tokens: [Int], targets: [Int], batch b: Int) -> Tensor {
        logits(tokens, batch: b).crossEntropy(targets: targets)
    }
}
