/// An n-dimensional array of `Float` with a place in the autograd graph.
///
/// Storage is contiguous and row-major; `shape` gives the extent of each axis (`[]` is a scalar).
/// Tensors have reference semantics, like PyTorch's: an op returns a new tensor that remembers
/// which tensors it came from (`gradFn`), and `backward()` walks those links in reverse.
public final class Tensor {
    /// Extent of each axis, outermost first.
    public let shape: [Int]
    /// The elements, shared with tensors made by `reshaped`.
    public let storage: Storage
    /// When true, `backward()` accumulates this tensor's gradient into `grad`.
    public var requiresGrad: Bool
    /// Accumulated gradient, same shape as `self` (nil until a backward pass reaches it).
    public var grad: Tensor?
    /// The op that produced this tensor, if it was recorded; nil for leaves.
    public internal(set) var gradFn: GradFn?
    /// Keep `grad` on this non-leaf tensor after backward (leaves always keep theirs).
    public var retainsGrad = false

    /// Number of elements.
    @inline(__always) public var count: Int { storage.count }
    /// Number of axes.
    @inline(__always) public var rank: Int { shape.count }
    /// The elements as a mutable buffer (row-major). Writing through it bypasses autograd.
    @inline(__always) public var data: UnsafeMutableBufferPointer<Float> { storage.buffer }
    /// First element.
    @inline(__always) public var pointer: UnsafeMutablePointer<Float> { storage.pointer }
    /// True for tensors not produced by a recorded op.
    public var isLeaf: Bool { gradFn == nil }

    deinit {
        if let fn = gradFn { gradFn = nil; Tensor.releaseGraph(fn) }
    }

    /// A tensor over existing storage (no copy). `shape` must multiply out to `storage.count`.
    public init(storage: Storage, shape: [Int], requiresGrad: Bool = false) {
        precondition(shape.reduce(1, *) == storage.count,
                     "shape \(shape) does not hold \(storage.count) elements")
        self.storage = storage
        self.shape = shape
        self.requiresGrad = requiresGrad
    }

    /// A tensor with undefined contents, from the storage pool. Kernels use this for outputs
    /// they fully overwrite.
    public convenience init(uninitialized shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        self.init(storage: Storage(count: shape.reduce(1, *), zeroed: false), shape: shape)
    }

    /// A tensor holding `values` with the given shape.
    public convenience init(_ values: [Float], shape: [Int], requiresGrad: Bool = false) {
        precondition(values.count == shape.reduce(1, *),
                     "\(values.count) values do not fill shape \(shape)")
        self.init(uninitialized: shape)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { pointer.update(from: base, count: values.count) }
        }
        self.requiresGrad = requiresGrad
    }

    /// A 1-D tensor holding `values`.
    public convenience init(_ values: [Float], requiresGrad: Bool = false) {
        self.init(values, shape: [values.count], requiresGrad: requiresGrad)
    }

    /// A scalar (rank-0) tensor.
    public convenience init(scalar: Float) {
        self.init([scalar], shape: [])
    }

    /// The elements as an array (row-major).
    public func toArray() -> [Float] { Array(data) }

    /// The single element of a one-element tensor.
    public func item() -> Float {
        precondition(count == 1, "item() needs exactly one element, shape is \(shape)")
        return pointer[0]
    }

    /// Flat row-major offset of a multi-index.
    @inline(__always)
    public func offset(_ indices: [Int]) -> Int {
        precondition(indices.count == rank, "\(indices.count) indices for rank \(rank)")
        var off = 0
        for (axis, i) in indices.enumerated() {
            precondition(i >= 0 && i < shape[axis], "index \(i) out of range for axis \(axis) of \(shape)")
            off = off * shape[axis] + i
        }
        return off
    }

    /// Element at a multi-index (no autograd).
    public subscript(_ indices: Int...) -> Float {
        get { pointer[offset(indices)] }
        set { pointer[offset(indices)] = newValue }
    }

    /// Size of `axis`, which may be negative (counting from the end).
    public func size(_ axis: Int) -> Int { shape[normalizeAxis(axis, rank: rank)] }

    /// A copy that shares nothing and records nothing.
    public func copy() -> Tensor {
        let t = Tensor(uninitialized: shape)
        t.pointer.update(from: pointer, count: count)
        return t
    }

    /// The same storage, cut off from the graph (`requiresGrad` false).
    public func detached() -> Tensor {
        Tensor(storage: storage, shape: shape)
    }
}

/// Maps a possibly negative axis to `0..<rank`.
@inline(__always)
func normalizeAxis(_ axis: Int, rank: Int) -> Int {
    let a = axis < 0 ? axis + rank : axis
    precondition(a >= 0 && a < max(rank, 1), "axis \(axis) out of range for rank \(rank)")
    return a
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = data.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(count > 8 ? ", ..." : "")])"
    }
}

import Foundation
