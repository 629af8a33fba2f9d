import Foundation
import Slate

/// Graph-level readouts over a batch (PyG's `global_{add,mean,max}_pool` and the per-graph
/// softmax of `AttentionalAggregation`). Nodes of graph g are the contiguous rows
/// `graphStart[g]..<graphStart[g+1]` of x (the layout `GraphBatch` produces), so each readout
/// is a loop over segments. An empty graph reads out zeros and receives no gradient.
public enum GraphPooling {
    /// r_g = Σ_{i ∈ g} x_i.   (N, F) -> (G, F)
    public static func sum(_ x: Tensor, graphStart: [Int32]) -> Tensor {
        segmentSum(x, graphStart: graphStart, mean: false)
    }

    /// r_g = (1/|g|) Σ_{i ∈ g} x_i.   (N, F) -> (G, F)
    public static func mean(_ x: Tensor, graphStart: [Int32]) -> Tensor {
        segmentSum(x, graphStart: graphStart, mean: true)
    }

    private static func segmentSum(_ x: Tensor, graphStart: [Int32], mean: Bool) -> Tensor {
        let (g, f) = shapes(x, graphStart)
        let out = Tensor.zeros([g, f])                                       // (G, F)
        let px = x.pointer, po = out.pointer
        for s in 0..<g {
            let lo = Int(graphStart[s]), hi = Int(graphStart[s + 1])
            let scale: Float = mean && hi > lo ? 1 / Float(hi - lo) : 1
            let o = po + s * f
            for i in lo..<hi { let xi = px + i * f; for j in 0..<f { o[j] += xi[j] } }
            if scale != 1 { for j in 0..<f { o[j] *= scale } }
        }
        return out.recordOp(mean ? "mean_pool" : "sum_pool", inputs: [x]) { grad in   // grad: (G, F)
            guard x.requiresGrad else { return }
            let dx = x.gradBuffer().baseAddress!, pg = grad.pointer
            for s in 0..<g {
                let lo = Int(graphStart[s]), hi = Int(graphStart[s + 1])
                let scale: Float = mean && hi > lo ? 1 / Float(hi - lo) : 1
                let gs = pg + s * f
                for i in lo..<hi { let d = dx + i * f; for j in 0..<f { d[j] += scale * gs[j] } }
            }
        }
    }

    /// r_g[j] = max_{i ∈ g} x_i[j]; the gradient goes to the arg-max node of each (g, j),
    /// the lowest node index on ties (deterministic, like a first-max scan).   (N, F) -> (G, F)
    public static func max(_ x: Tensor, graphStart: [Int32]) -> Tensor {
        let (g, f) = shapes(x, graphStart)
        let out = Tensor.zeros([g, f])                                       // (G, F)
        var argmax = [Int32](repeating: -1, count: g * f)                    // (G, F) node ids
        let px = x.pointer, po = out.pointer
        for s in 0..<g {
            let lo = Int(graphStart[s]), hi = Int(graphStart[s + 1])
            guard hi > lo else { continue }
            for j in 0..<f {
                var best = px[lo * f + j], at = lo
                for i in (lo + 1)..<hi where px[i * f + j] > best { best = px[i * f + j]; at = i }
                po[s * f + j] = best
                argmax[s * f + j] = Int32(at)
            }
        }
        return out.recordOp("max_pool", inputs: [x]) { grad in               // grad: (G, F)
            guard x.requiresGrad else { return }
            let dx = x.gradBuffer().baseAddress!, pg = grad.pointer
            for k in 0..<(g * f) where argmax[k] >= 0 { dx[Int(argmax[k]) * f + k % f] += pg[k] }
        }
    }

    /// Softmax of node scores within each graph: α_i = exp(s_i) / Σ_{k ∈ g(i)} exp(s_k).
    /// (N, 1) -> (N, 1). Backward: ds_i = α_i (dα_i − Σ_{k ∈ g(i)} α_k dα_k).
    public static func segmentSoftmax(_ scores: Tensor, graphStart: [Int32]) -> Tensor {
        precondition(scores.rank == 2 && scores.shape[1] == 1, "segmentSoftmax: scores must be (N, 1), got \(scores.shape)")
        let (g, _) = shapes(scores, graphStart)
        let out = Tensor(uninitialized: scores.shape)                        // (N, 1)
        let ps = scores.pointer, pa = out.pointer
        for s in 0..<g {
            let lo = Int(graphStart[s]), hi = Int(graphStart[s + 1])
            guard hi > lo else { continue }
            var top = ps[lo]
            for i in lo..<hi { top = Swift.max(top, ps[i]) }                 // subtract the max: no overflow
            var total: Float = 0
            for i in lo..<hi { pa[i] = Foundation.exp(ps[i] - top); total += pa[i] }
            for i in lo..<hi { pa[i] /= total }
        }
        let alpha = out.storage
        return out.recordOp("segment_softmax", inputs: [scores]) { grad in   // grad: (N, 1)
            guard scores.requiresGrad else { return }
            let ds = scores.gradBuffer().baseAddress!, pg = grad.pointer, a = alpha.pointer
            for s in 0..<g {
                let lo = Int(graphStart[s]), hi = Int(graphStart[s + 1])
                var dot: Float = 0
                for i in lo..<hi { dot += a[i] * pg[i] }
                for i in lo..<hi { ds[i] += a[i] * (pg[i] - dot) }
            }
        }
    }

    /// r_g = Σ_{i ∈ g} w_i · x_i with one weight per node.   w (N, 1), x (N, F) -> (G, F)
    public static func weightedSum(_ w: Tensor, _ x: Tensor, graphStart: [Int32]) -> Tensor {
        let (g, f) = shapes(x, graphStart)
        precondition(w.shape == [x.shape[0], 1], "weightedSum: weights must be (N, 1), got \(w.shape)")
        let out = Tensor.zeros([g, f])                                       // (G, F)
        let pw = w.pointer, px = x.pointer, po = out.pointer
        for s in 0..<g {
            let o = po + s * f
            for i in Int(graphStart[s])..<Int(graphStart[s + 1]) {
                let wi = pw[i], xi = px + i * f
                for j in 0..<f { o[j] += wi * xi[j] }
            }
        }
        return out.recordOp("weighted_sum_pool", inputs: [w, x]) { grad in   // grad: (G, F)
            let pg = grad.pointer
            let dw = w.requiresGrad ? w.gradBuffer().baseAddress : nil
            let dx = x.requiresGrad ? x.gradBuffer().baseAddress : nil
            for s in 0..<g {
                let gs = pg + s * f
                for i in Int(graphStart[s])..<Int(graphStart[s + 1]) {
                    if let dw {                                              // dw_i = <grad_g, x_i>
                        var dot: Float = 0
                        for j in 0..<f { dot += gs[j] * px[i * f + j] }
                        dw[i] += dot
                    }
                    if let dx { let wi = pw[i]; for j in 0..<f { dx[i * f + j] += wi * gs[j] } }
                }
            }
        }
    }

    private static func shapes(_ x: Tensor, _ graphStart: [Int32]) -> (graphs: Int, features: Int) {
        precondition(x.rank == 2, "pooling expects (N, F), got \(x.shape)")
        precondition(graphStart.first == 0 && Int(graphStart.last ?? -1) == x.shape[0],
                     "pooling: graphStart must run from 0 to N = \(x.shape[0])")
        return (graphStart.count - 1, x.shape[1])
    }
}
