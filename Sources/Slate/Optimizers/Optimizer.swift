import Foundation

/// Optimizers update parameters from their gradients. They share parameter groups (so weight
/// decay can skip biases and norms, as nanoGPT does), `zeroGrad()`, a settable learning rate and
/// exportable state for resuming a run from a checkpoint.

/// A set of parameters sharing one weight-decay coefficient.
public struct ParameterGroup {
    /// The tensors to update (each should have `requiresGrad`).
    public var parameters: [Tensor]
    /// Names of the parameters (used to name optimizer state in checkpoints); nil = by position.
    public var names: [String]?
    /// L2 penalty (SGD, Adam) or decoupled decay rate (AdamW).
    public var weightDecay: Float

    public init(parameters: [Tensor], weightDecay: Float = 0, names: [String]? = nil) {
        precondition(names == nil || names!.count == parameters.count, "one name per parameter")
        self.parameters = parameters
        self.weightDecay = weightDecay
        self.names = names
    }

    /// nanoGPT's rule: tensors of rank ≥ 2 (matmul weights, embeddings) decay, rank < 2 (biases,
    /// layer-norm gains) do not. Returns `[decay, noDecay]`, both named.
    public static func decaySplit(_ named: [(String, Tensor)], weightDecay: Float) -> [ParameterGroup] {
        let decay = named.filter { $0.1.rank >= 2 }, keep = named.filter { $0.1.rank < 2 }
        return [ParameterGroup(parameters: decay.map { $0.1 }, weightDecay: weightDecay, names: decay.map { $0.0 }),
                ParameterGroup(parameters: keep.map { $0.1 }, weightDecay: 0, names: keep.map { $0.0 })]
    }

    /// `decaySplit` over a module's named parameters.
    public static func decaySplit(_ module: Module, weightDecay: Float) -> [ParameterGroup] {
        decaySplit(module.namedParameters(), weightDecay: weightDecay)
    }
}

/// A problem with optimizer state being imported.
public struct OptimizerStateError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What every optimizer offers.
public protocol Optimizer: AnyObject {
    /// The step size used by the next `step()`; set it every iteration to follow a schedule.
    var learningRate: Float { get set }
    /// The parameter groups, in the order given.
    var groups: [ParameterGroup] { get }
    /// Number of `step()` calls so far.
    var stepCount: Int { get }
    /// Applies one update from the current gradients (parameters without a gradient are skipped).
    func step()
    /// Optimizer state as named tensors (moments, step count) for a checkpoint.
    func stateDict() -> [(String, Tensor)]
    /// Restores state written by `stateDict()`; throws on missing names or wrong shapes.
    func loadStateDict(_ state: [String: Tensor]) throws
}

extension Optimizer {
    /// Clears every parameter's gradient.
    public func zeroGrad() {
        for g in groups { for p in g.parameters { p.zeroGrad() } }
    }

    /// Every parameter with its checkpoint name: its group name, or `"g<group>.<index>"`.
    func namedSlots() -> [(String, Tensor)] {
        var out: [(String, Tensor)] = []
        for (gi, g) in groups.enumerated() {
            for (pi, p) in g.parameters.enumerated() { out.append((g.names?[pi] ?? "g\(gi).\(pi)", p)) }
        }
        return out
    }
}

/// Per-parameter buffers (momentum, Adam moments), allocated zeroed next to each parameter.
func zeroBuffers(like groups: [ParameterGroup]) -> [[Tensor]] {
    groups.map { $0.parameters.map { Tensor.zeros($0.shape) } }
}

/// Copies `state[prefix + name]` into each buffer, checking presence and shape.
func loadBuffers(_ buffers: [[Tensor]], prefix: String, names: [(String, Tensor)],
                 from state: [String: Tensor]) throws {
    var flat = 0
    for group in buffers {
        for buffer in group {
            let key = prefix + names[flat].0
            flat += 1
            guard let saved = state[key] else {
                throw OptimizerStateError("optimizer state has no '\(key)'; was it saved by the same optimizer and model?")
            }
            guard saved.shape == buffer.shape else {
                throw OptimizerStateError("optimizer state '\(key)' has shape \(saved.shape), expected \(buffer.shape)")
            }
            buffer.pointer.update(from: saved.pointer, count: buffer.count)
        }
    }
}

/// Reads the scalar step counter saved under `"step"`.
func loadStep(from state: [String: Tensor]) throws -> Int {
    guard let s = state["step"], s.count == 1, s.item() >= 0 else {
        throw OptimizerStateError("optimizer state has no valid 'step' scalar")
    }
    return Int(s.item())
}

/// Scales gradients so their global L2 norm is at most `maxNorm` (`torch.nn.utils.clip_grad_norm_`)
/// and returns the norm before clipping. Parameters without a gradient are ignored.
///
/// Both passes run over `Threads.count` threads; the norm is the same for every thread count
/// and the same as one thread's `sumOfSquares` per gradient (each block's square sum is computed
/// alone, and the blocks are added in the same order and grouping).
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    let grads = parameters.compactMap { $0.grad }
    let pointers = grads.map { $0.pointer }
    // Each gradient's blocks, one square sum per block, all blocks over the threads at once.
    let blockCounts = grads.map { ($0.count + sumOfSquaresBlock - 1) / sumOfSquaresBlock }
    var firstBlock = [0]                                    // firstBlock[i] = Σ blockCounts[..<i]
    for n in blockCounts { firstBlock.append(firstBlock.last! + n) }
    var partials = [Double](repeating: 0, count: firstBlock.last!)
    partials.withUnsafeMutableBufferPointer { out in
        parallelSegments(blockCounts, grain: 16) { i, lo, hi in
            for b in lo..<hi {
                let start = b * sumOfSquaresBlock
                out[firstBlock[i] + b] = sumOfSquares(pointers[i] + start, min(sumOfSquaresBlock, grads[i].count - start))
            }
        }
    }
    // Per gradient, then over gradients, in order: as one thread's `sumOfSquares` adds them.
    let sumSquares = grads.indices.reduce(0.0) { total, i in total + partials[firstBlock[i]..<firstBlock[i + 1]].reduce(0, +) }
    let total = Float(sumSquares.squareRoot())
    let coefficient = maxNorm / (total + 1e-6)
    if coefficient < 1 {
        parallelSegments(grads.map(\.count)) { i, start, end in
            let pg = pointers[i]
            for j in start..<end { pg[j] *= coefficient }
        }
    }
    return total
}
