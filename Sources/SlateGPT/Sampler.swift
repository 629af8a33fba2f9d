import Foundation
import Slate

/// Incremental decoding with a key/value cache: each new token runs the blocks on one position
/// and attends to the keys and values cached for the earlier ones, instead of re-running the
/// whole context (nanoGPT's `generate` re-runs it for every token).
///
/// Semantics match nanoGPT's `generate`: the model sees the last `block_size` tokens. While the
/// context fits, every token costs one position; once it is full, the window slides, position
/// embeddings shift, and the cache is rebuilt from the last `block_size` tokens in one batched
/// pass (`prefill`), which then costs what nanoGPT's uncached step costs.
final class KVCache {
    let model: GPT
    /// Positions cached so far (≤ block_size).
    private(set) var length = 0
    private var keys: [Tensor]      // per layer (block_size, C)
    private var values: [Tensor]    // per layer (block_size, C)
    private let scores: UnsafeMutablePointer<Float>   // (block_size) scratch

    init(model: GPT) {
        self.model = model
        let c = model.config
        keys = (0..<c.nLayer).map { _ in Tensor.zeros([c.blockSize, c.nEmbd]) }
        values = (0..<c.nLayer).map { _ in Tensor.zeros([c.blockSize, c.nEmbd]) }
        scores = .allocate(capacity: c.blockSize)
    }

    deinit { scores.deallocate() }

    /// Forgets every cached position.
    func reset() { length = 0 }

    /// Feeds `token` at the next position and returns the logits for the token after it (V).
    /// The cache must not be full.
    func append(_ token: Int) -> [Float] {
        let cfg = model.config
        precondition(length < cfg.blockSize, "KV cache is full (\(cfg.blockSize) positions); reset it")
        let (c, nh) = (cfg.nEmbd, cfg.nHead)
        let hs = c / nh, scale = 1 / Float(hs).squareRoot(), p = length
        return withNoGrad {
            var x = model.wte.rows([token]) + model.wpe.rows([p])                       // (1, C)
            for (l, block) in model.blocks.enumerated() {
                let h = x.layerNorm(weight: block.ln1Weight, bias: block.ln1Bias)
                let qkv = h.linear(weight: block.attnWeight, bias: block.attnBias)      // (1, 3C)
                let q = qkv.pointer, kc = keys[l].pointer, vc = values[l].pointer
                (kc + p * c).update(from: q + c, count: c)                            // cache k, v
                (vc + p * c).update(from: q + 2 * c, count: c)
                let y = Tensor.zeros([1, c])                                           // (1, C)
                for head in 0..<nh {
                    let o = head * hs
                    var m = -Float.infinity
                    for s in 0...p {                                                   // q·k_s / √hs
                        var dot: Float = 0
                        for j in 0..<hs { dot += q[o + j] * kc[s * c + o + j] }
                        scores[s] = dot * scale
                        m = max(m, scores[s])
                    }
                    var z: Float = 0
                    for s in 0...p { scores[s] = Foundation.exp(scores[s] - m); z += scores[s] }
                    for s in 0...p {                                                   // y += P_s v_s
                        let w = scores[s] / z
                        for j in 0..<hs { y.pointer[o + j] += w * vc[s * c + o + j] }
                    }
                }
                x = x + y.linear(weight: block.attnProjWeight, bias: block.attnProjBias)
                let h2 = x.layerNorm(weight: block.ln2Weight, bias: block.ln2Bias)
                let fc = h2.linear(weight: block.fcWeight, bias: block.fcBias).gelu()  // (1, 4C)
                x = x + fc.linear(weight: block.mlpProjWeight, bias: block.mlpProjBias)
            }
            length += 1
            let xf = x.layerNorm(weight: model.lnFWeight, bias: model.lnFBias)
            return xf.linear(weight: model.wte, bias: nil).toArray()                   // (V)
        }
    }

    /// Logits after `context` (its last `block_size` tokens), reusing the cache when `context`
    /// extends what is cached by exactly one token.
    func logits(after context: [Int], cachedPrefixValid: Bool) -> [Float] {
        let T = model.config.blockSize
        if cachedPrefixValid && length < T && context.count == length + 1 {
            return append(context[context.count - 1])
        }
        return prefill(Array(context.suffix(T)))
    }

    /// Refills the cache from `tokens` (at most block_size) in one batched forward pass — the
    /// matrix products run over all positions at once instead of one position at a time — and
    /// returns the logits after the last of them (V).
    func prefill(_ tokens: [Int]) -> [Float] {
        let cfg = model.config
        let (t, c) = (tokens.count, cfg.nEmbd)
        precondition(t > 0 && t <= cfg.blockSize, "prefill takes 1...\(cfg.blockSize) tokens, got \(t)")
        return withNoGrad {
            var x = model.wte.rows(tokens) + model.wpe.rows(Array(0..<t))            // (T, C)
            for (l, block) in model.blocks.enumerated() {
                let h = x.layerNorm(weight: block.ln1Weight, bias: block.ln1Bias)
                let qkv = h.linear(weight: block.attnWeight, bias: block.attnBias)    // (T, 3C)
                let q = qkv.pointer, kc = keys[l].pointer, vc = values[l].pointer
                for s in 0..<t {                                                      // cache k, v
                    (kc + s * c).update(from: q + s * 3 * c + c, count: c)
                    (vc + s * c).update(from: q + s * 3 * c + 2 * c, count: c)
                }
                let att = qkv.reshaped([1, t, 3 * c])                                 // (1, T, 3C)
                    .causalSelfAttention(heads: cfg.nHead).reshaped([t, c])          // (T, C)
                x = x + att.linear(weight: block.attnProjWeight, bias: block.attnProjBias)
                let h2 = x.layerNorm(weight: block.ln2Weight, bias: block.ln2Bias)
                let fc = h2.linear(weight: block.fcWeight, bias: block.fcBias).gelu()  // (T, 4C)
                x = x + fc.linear(weight: block.mlpProjWeight, bias: block.mlpProjBias)
            }
            length = t
            let xf = x.rows([t - 1]).layerNorm(weight: model.lnFWeight, bias: model.lnFBias)  // (1, C)
            return xf.linear(weight: model.wte, bias: nil).toArray()                 // (V)
        }
    }
}

/// Sampling settings, as nanoGPT's `sample.py`.
public struct SamplingOptions: Sendable {
    public var maxNewTokens = 500
    /// Divides the logits; < 1 sharpens, > 1 flattens.
    public var temperature: Float = 0.8
    /// Keep only the k most likely tokens (nil: all).
    public var topK: Int? = 200
    public init(maxNewTokens: Int = 500, temperature: Float = 0.8, topK: Int? = 200) {
        self.maxNewTokens = maxNewTokens; self.temperature = temperature; self.topK = topK
    }
}

extension GPT {
    /// Samples `options.maxNewTokens` tokens after `prompt` (non-empty), calling `emit` with each
    /// new token as soon as it is drawn. Uses a KV cache. Returns the new tokens.
    @discardableResult
    public func generate(prompt: [Int], options: SamplingOptions, generator: inout RandomGenerator,
                         emit: (Int) -> Void = { _ in }) -> [Int] {
        precondition(!prompt.isEmpty, "generate needs at least one prompt token")
        let wasTraining = training
        eval()
        defer { train(wasTraining) }
        let cache = KVCache(model: self)
        var context = prompt, produced: [Int] = []
        var valid = false
        for _ in 0..<options.maxNewTokens {
            let logits = cache.logits(after: context, cachedPrefixValid: valid)
            let next = sampleToken(logits, temperature: options.temperature, topK: options.topK,
                                   generator: &generator)
            context.append(next)
            produced.append(next)
            valid = true
            emit(next)
        }
        return produced
    }
}

/// Draws a token from `logits / temperature`, restricted to the `topK` largest (ties kept).
/// A temperature of 0 picks the most likely token.
func sampleToken(_ logits: [Float], temperature: Float, topK: Int?,
                        generator: inout RandomGenerator) -> Int {
    if temperature <= 0 { return logits.indices.max { logits[$0] < logits[$1] }! }
    var scaled = logits.map { $0 / temperature }
    if let k = topK, k < scaled.count, k > 0 {
        let kth = scaled.sorted(by: >)[k - 1]
        for i in scaled.indices where scaled[i] < kth { scaled[i] = -.infinity }
    }
    let m = scaled.max()!
    var probs = scaled.map { Foundation.exp(Double($0 - m)) }
    let total = probs.reduce(0, +)
    for i in probs.indices { probs[i] /= total }
    var u = generator.nextDouble()
    for (i, p) in probs.enumerated() {
        u -= p
        if u < 0 { return i }
    }
    return probs.lastIndex { $0 > 0 }!
}
