/// The tape: how ops record themselves and how `backward()` replays them in reverse.
///
/// An op that produces `out` from inputs that require grad attaches a `GradFn` to `out`: the
/// inputs plus a closure that, given dLoss/dOut, *adds* dLoss/dInput into each input's `grad`.
/// `backward()` orders the graph by an iterative depth-first search (no recursion, so a graph
/// of any depth works) and runs each closure once, outputs before inputs.

import CSlateThreads

/// The record of one op: its inputs and how to push a gradient back to them.
public final class GradFn {
    /// Name of the op, for debugging ("matmul", "add", ...).
    public let name: String
    /// The tensors the op read.
    public internal(set) var inputs: [Tensor]
    /// Adds dLoss/dInput into `inputs[i].grad` for each input that requires grad.
    /// (Optional only so that tearing down a graph can drop it early; see `Tensor.deinit`.)
    public internal(set) var backward: ((_ gradOutput: Tensor) -> Void)?

    init(name: String, inputs: [Tensor], backward: @escaping (Tensor) -> Void) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
    }
}

/// Grad mode. Each thread has its own: on when the thread starts, switched off for the calling
/// thread only by ``withNoGrad(_:)``, so one thread can evaluate a model while another trains it.
public enum Autograd {
    /// True while ops on the calling thread record their backward functions.
    public static var isEnabled: Bool { slate_grad_enabled() != 0 }
}

/// Runs `body` with recording off on the calling thread (inference, evaluation, optimizer
/// updates) and restores the thread's previous grad mode afterwards. Other threads keep
/// recording.
@discardableResult
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = slate_set_grad_enabled(0)
    defer { slate_set_grad_enabled(previous) }
    return try body()
}

extension Tensor {
    /// Tears down the graph behind a dying tensor iteratively. Without this, releasing a tensor
    /// at the end of a long chain would release its inputs recursively, one stack frame per op,
    /// and a deep enough graph would overflow the stack.
    static func releaseGraph(_ root: GradFn) {
        var pending = [root]
        while let fn = pending.popLast() {
            fn.backward = nil  // drop tensors captured by the closure; inputs still hold theirs
            var inputs = fn.inputs
            fn.inputs = []
            for i in inputs.indices where isKnownUniquelyReferenced(&inputs[i]) {
                if let next = inputs[i].gradFn {
                    inputs[i].gradFn = nil  // this input dies below, without recursing
                    pending.append(next)
                }
            }
        }
    }

    /// Records that `self` was computed from `inputs` by an op whose backward is `backward`: the
    /// one hook every op, built-in or your own, uses to join the autograd graph.
    ///
    /// Call it on a freshly made output, right after computing the forward, and return what it
    /// returns. It does nothing when recording is off on this thread (``withNoGrad(_:)``) or no
    /// input requires grad. `backward` receives dL/dself and must *add* dL/dinput into each
    /// input's gradient (``gradBuffer()``), never overwrite it: an input used twice gets both
    /// contributions. It runs with recording off.
    ///
    /// A worked example, softplus y = log(1 + eˣ), whose derivative is dy/dx = σ(x) = 1 / (1 + e⁻ˣ):
    ///
    /// ```swift
    /// extension Tensor {
    ///     func softplus() -> Tensor {
    ///         let out = Tensor(uninitialized: shape)
    ///         for i in 0..<count { out.pointer[i] = Foundation.log(1 + Foundation.exp(pointer[i])) }
    ///         return out.recordOp("softplus", inputs: [self]) { g in        // g = dL/dy, shaped as y
    ///             let dx = self.gradBuffer()
    ///             for i in 0..<self.count {
    ///                 dx[i] += g.pointer[i] / (1 + Foundation.exp(-self.pointer[i]))   // dL/dx += g·σ(x)
    ///             }
    ///         }
    ///     }
    /// }
    /// ```
    ///
    /// Then check it against finite differences with ``gradCheck(_:step:atol:rtol:seed:_:)``:
    /// `gradCheck([x]) { $0[0].softplus() }.passed` is true when the backward is right.
    @discardableResult
    public func recordOp(_ name: String, inputs: [Tensor],
                         backward: @escaping (_ gradOutput: Tensor) -> Void) -> Tensor {
        guard Autograd.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        requiresGrad = true
        gradFn = GradFn(name: name, inputs: inputs, backward: backward)
        return self
    }

    /// This tensor's gradient storage, created zero-filled on first use. Backward functions add
    /// into it.
    public func gradBuffer() -> UnsafeMutableBufferPointer<Float> {
        if grad == nil { grad = Tensor.zeros(shape) }
        return grad!.data
    }

    /// The gradient storage for a backward that writes every element of it in one pass (a GEMM,
    /// a fused kernel): `beta` is 0 when the storage was just created — left unfilled, to be
    /// overwritten — and 1 when a gradient is already there to add to. Saves the zero-fill pass
    /// `gradBuffer()` would make.
    public func gradTarget() -> (pointer: UnsafeMutablePointer<Float>, beta: Float) {
        if grad == nil {
            grad = Tensor(uninitialized: shape)
            return (grad!.pointer, 0)
        }
        return (grad!.pointer, 1)
    }

    /// Adds `g` (same element count) into this tensor's gradient, over `Threads.count` threads
    /// when large (a residual stream's gradient passes through here once per block).
    public func accumulateGrad(_ g: Tensor) {
        precondition(g.count == count, "gradient of \(g.shape) for tensor of \(shape)")
        let src = g.pointer
        if grad == nil {
            grad = Tensor(storage: Storage(count: count, zeroed: false), shape: shape)
            let dst = grad!.pointer
            parallelRanges(count) { start, end in (dst + start).update(from: src + start, count: end - start) }
            return
        }
        let dst = grad!.pointer
        parallelRanges(count) { start, end in for i in start..<end { dst[i] += src[i] } }
    }

    /// Clears the gradient (sets it to nil; the next backward starts from zero).
    public func zeroGrad() { grad = nil }

    /// Backpropagates from this tensor: accumulates dSelf/dLeaf into every leaf's `grad` that
    /// requires grad.
    ///
    /// `gradient` defaults to 1 and is required for tensors with more than one element.
    /// Semantics of calling it twice: the graph is kept, so a second call accumulates the same
    /// gradients into the leaves again (as PyTorch with `retain_graph=True`). Gradients of
    /// intermediate tensors are freed as soon as they have been used, unless `retainsGrad`.
    public func backward(_ gradient: Tensor? = nil) {
        precondition(requiresGrad, "backward() on a tensor that does not require grad")
        let seed: Tensor
        if let gradient {
            precondition(gradient.shape == shape, "gradient shape \(gradient.shape) != \(shape)")
            seed = gradient
        } else {
            precondition(count == 1, "backward() without a gradient needs a one-element tensor, shape is \(shape)")
            seed = Tensor.ones(shape)
        }
        let order = topologicalOrder()
        withNoGrad {
            accumulateGrad(seed)
            for t in order.reversed() {
                guard let fn = t.gradFn, let g = t.grad else { continue }
                fn.backward?(g)
                if !t.retainsGrad { t.grad = nil }
            }
        }
    }

    /// Tensors reachable from `self` through recorded ops, inputs before the ops that use them.
    /// Iterative depth-first post-order.
    func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(tensor: Tensor, expanded: Bool)] = [(self, false)]
        while let (t, expanded) = stack.popLast() {
            if expanded { order.append(t); continue }
            let id = ObjectIdentifier(t)
            if visited.contains(id) { continue }
            visited.insert(id)
            stack.append((t, true))
            for input in t.gradFn?.inputs ?? [] where input.requiresGrad {
                if !visited.contains(ObjectIdentifier(input)) { stack.append((input, false)) }
            }
        }
        return order
    }
}
