import CSlateVector

/// Vectorised erf and the exact-form GELU built on it, in portable Swift SIMD.
///
/// erf(x) ≈ x·P(x²)/Q(x²) on [−4, 4] (outside, erf is ±1 to single precision), a rational
/// approximation of degree 13/8 (the coefficients Eigen uses for its float erf). Max absolute
/// error ≈ 4e-7 against the double-precision erf — tested in `FastGELUTests`.
enum ErfConstants {
    static let a: (Float, Float, Float, Float, Float, Float, Float) = (
        -1.609_603_332_624_15e-02, -2.954_599_808_540_25e-03, -7.349_906_303_268_55e-04,
        -5.692_506_394_623_46e-05, -2.101_024_020_825_08e-06, 2.770_681_424_959_02e-08,
        -2.726_142_258_013_06e-10)
    static let b: (Float, Float, Float, Float, Float) = (
        -1.426_473_905_141_89e-02, -7.373_329_167_204_68e-03, -1.682_826_974_382_03e-03,
        -2.133_740_552_789_05e-04, -1.456_607_184_649_96e-05)
}

/// erf for every lane.
@inline(__always)
func fastErf(_ x: FloatVector) -> FloatVector {
    typealias C = ErfConstants
    // Clamp to [−4, 4] with compares and blends: `clamped(lowerBound:upperBound:)` goes through
    // pointwiseMin/Max, which Swift 6 leaves as out-of-line calls in this loop.
    var v = x.replacing(with: -4, where: x .< -4)
    v.replace(with: 4, where: v .> 4)
    let v2 = v * v
    var p = mulAdd(v2, FloatVector(repeating: C.a.6), C.a.5)
    p = mulAdd(p, v2, C.a.4)
    p = mulAdd(p, v2, C.a.3)
    p = mulAdd(p, v2, C.a.2)
    p = mulAdd(p, v2, C.a.1)
    p = mulAdd(p, v2, C.a.0)
    var q = mulAdd(v2, FloatVector(repeating: C.b.4), C.b.3)
    q = mulAdd(q, v2, C.b.2)
    q = mulAdd(q, v2, C.b.1)
    q = mulAdd(q, v2, C.b.0)
    return v * p / q
}

/// Scalar erf with the same approximation (tails of rows).
@inline(__always)
func fastErf(_ x: Float) -> Float {
    fastErf(FloatVector(repeating: x))[0]
}

let geluInvSqrt2: Float = 0.707_106_781_186_547_6
let geluInvSqrt2Pi: Float = 0.398_942_280_401_432_7

/// y[i] = x·Φ(x) = ½x(1 + erf(x/√2)) for i in 0..<n.
func geluForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    #if arch(x86_64)
    if VectorKernels.avx2 { return slate_avx2_gelu_forward(x, y, n) }
    #endif
    let w = FloatVector.scalarCount
    var i = 0
    while i + w <= n {
        let v = loadVector(x + i)
        storeVector(0.5 * v * (1 + fastErf(v * geluInvSqrt2)), y + i)
        i += w
    }
    while i < n { y[i] = 0.5 * x[i] * (1 + fastErf(x[i] * geluInvSqrt2)); i += 1 }
}

/// dx[i] = beta·dx[i] + g[i]·(Φ(x) + x·φ(x)) for i in 0..<n (beta 1 adds, 0 overwrites): GELU's
/// backward. Φ(x) is read back from the forward's output y = x·Φ(x) as y/x (near x = 0, where
/// that quotient loses its digits, as 1/2 + x/√(2π), off by under 1e-10 for |x| < 1e-3), so the
/// backward costs one division and one exp instead of a second erf and an exp, and keeps nothing
/// beyond the output that the next layer holds anyway.
func geluBackward(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
                  _ dx: UnsafeMutablePointer<Float>, beta: Float = 1, _ n: Int) {
    #if arch(x86_64)
    if VectorKernels.avx2 { return slate_avx2_gelu_backward(x, y, g, dx, beta, n) }
    #endif
    let w = FloatVector.scalarCount
    let small = FloatVector(repeating: geluSmallInput)
    var i = 0
    while i + w <= n {
        let v = loadVector(x + i)
        let near0 = 0.5 + v * geluInvSqrt2Pi
        let tiny = (v .< small) .& (v .> -small)
        let cdf = (loadVector(y + i) / v.replacing(with: 1, where: tiny)).replacing(with: near0, where: tiny)
        let pdf = geluInvSqrt2Pi * fastExp(-0.5 * v * v)
        let d = loadVector(g + i) * (cdf + v * pdf)
        storeVector(beta == 0 ? d : loadVector(dx + i) + d, dx + i)
        i += w
    }
    while i < n {
        let v = x[i]
        let cdf = abs(v) < geluSmallInput ? 0.5 + v * geluInvSqrt2Pi : y[i] / v
        let d = g[i] * (cdf + v * geluInvSqrt2Pi * fastExp(-0.5 * v * v))
        dx[i] = beta == 0 ? d : dx[i] + d
        i += 1
    }
}

/// Below this |x|, GELU's backward takes Φ(x) from its Taylor series instead of y/x.
let geluSmallInput: Float = 1e-3
