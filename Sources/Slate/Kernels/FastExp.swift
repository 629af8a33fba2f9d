import CSlateVector

/// A vectorised eˣ for the softmax family, in portable Swift SIMD (no x86-only intrinsics, so it
/// builds for aarch64 too).
///
/// Method (as Cephes `expf`): write x = n·ln2 + r with n = round(x/ln2) and |r| ≤ ln2/2, so that
/// eˣ = 2ⁿ·eʳ. ln2 is split in a high part with few mantissa bits and a small low part, so that
/// n·ln2_hi is exact and r keeps its accuracy. eʳ ≈ 1 + r + r²·P(r) with a degree-5 minimax P.
/// 2ⁿ is built directly in the float's exponent bits. Relative error ≲ 1.2e-7 (≈ 1 ulp) against
/// the correctly rounded value; inputs below −87.3 (including −∞) give exactly 0, inputs above
/// 88.3 are clamped to 88.3 so that 2ⁿ never overflows (softmax only ever passes x − max ≤ 0).

/// Lane count of the vector kernels.
typealias FloatVector = SIMD8<Float>
/// Integer lanes of the same width (for building 2ⁿ in the exponent bits).
typealias IntVector = SIMD8<Int32>

enum ExpConstants {
    static let log2e: Float = 1.442_695_040_888_963_4
    static let ln2Hi: Float = 0.693_359_375          // 9 mantissa bits: n·ln2Hi exact
    static let ln2Lo: Float = -2.121_944_400_546_905_8e-4
    static let maxInput: Float = 88.3           // n ≤ 127
    static let minInput: Float = -87.3                // 2ⁿ stays a normal float
    /// 1.5·2²³: adding it rounds to the nearest integer, which lands in the low mantissa bits.
    static let roundMagic: Float = 12_582_912
    static let p0: Float = 1.987_569_150_0e-4
    static let p1: Float = 1.398_199_950_7e-3
    static let p2: Float = 8.333_451_907_3e-3
    static let p3: Float = 4.166_579_589_4e-2
    static let p4: Float = 1.666_666_545_9e-1
    static let p5: Float = 5.000_000_120_1e-1
}

/// a·b + c in every lane. On aarch64 one fused multiply-add (NEON `fmla`): Swift does not contract
/// `a * b + c` by itself. Elsewhere the plain expression: the x86 build has no FMA in its baseline,
/// where a fused form would become a library call per lane.
@inline(__always)
func mulAdd(_ a: FloatVector, _ b: FloatVector, _ c: Float) -> FloatVector {
    #if arch(arm64)
    return FloatVector(repeating: c).addingProduct(a, b)
    #else
    return a * b + c
    #endif
}

/// a·b + c, fused on aarch64 as the vector form is (so scalar tails and vector lanes agree).
@inline(__always)
func mulAdd(_ a: Float, _ b: Float, _ c: Float) -> Float {
    #if arch(arm64)
    return c.addingProduct(a, b)
    #else
    return a * b + c
    #endif
}

/// eˣ for every lane (see the file comment for the method and accuracy).
@inline(__always)
func fastExp(_ x: FloatVector) -> FloatVector {
    typealias C = ExpConstants
    let tooSmall = x .< FloatVector(repeating: C.minInput)
    var v = x.replacing(with: C.minInput, where: tooSmall)
    v.replace(with: C.maxInput, where: v .> FloatVector(repeating: C.maxInput))
    // n = round(v·log2e), kept both as a float (fn) and in the low bits of `shifted`.
    let shifted = v * C.log2e + C.roundMagic
    let fn = shifted - C.roundMagic
    let r = (v - fn * C.ln2Hi) - fn * C.ln2Lo                            // |r| ≤ ln2/2
    var p = mulAdd(r, FloatVector(repeating: C.p0), C.p1)
    p = mulAdd(p, r, C.p2)
    p = mulAdd(p, r, C.p3)
    p = mulAdd(p, r, C.p4)
    p = mulAdd(p, r, C.p5)
    let er = (p * (r * r) + r) + 1                                       // eʳ
    // 2ⁿ: (n + 127) << 23 as the float's bit pattern. n sits in shifted's low mantissa bits.
    let nBits = unsafeBitCast(shifted, to: IntVector.self) &- Int32(bitPattern: C.roundMagic.bitPattern)
    let twoN = unsafeBitCast((nBits &+ 127) &<< 23, to: FloatVector.self)
    return (er * twoN).replacing(with: 0, where: tooSmall)
}

/// Scalar eˣ with the same method and constants: the fallback for the tail of a row.
@inline(__always)
func fastExp(_ x: Float) -> Float {
    typealias C = ExpConstants
    if x < C.minInput { return 0 }                                       // also −∞; NaN falls through
    let v = Swift.min(x, C.maxInput)
    let shifted = v * C.log2e + C.roundMagic
    let fn = shifted - C.roundMagic
    let r = (v - fn * C.ln2Hi) - fn * C.ln2Lo
    var p = mulAdd(r, C.p0, C.p1)
    p = mulAdd(p, r, C.p2)
    p = mulAdd(p, r, C.p3)
    p = mulAdd(p, r, C.p4)
    p = mulAdd(p, r, C.p5)
    let er = (p * (r * r) + r) + 1
    let n = Int32(bitPattern: shifted.bitPattern) &- Int32(bitPattern: C.roundMagic.bitPattern)
    return er * Float(bitPattern: UInt32(bitPattern: (n &+ 127) &<< 23))
}

// MARK: - Row kernels built on it

/// Loads `FloatVector.scalarCount` floats from `p` (no alignment needed).
@inline(__always)
func loadVector(_ p: UnsafePointer<Float>) -> FloatVector {
    UnsafeRawPointer(p).loadUnaligned(as: FloatVector.self)
}

/// Stores a vector at `p` (no alignment needed).
@inline(__always)
func storeVector(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: FloatVector.self)
}

/// max(x[0..<n]); −∞ for an empty row.
func rowMax(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    let w = FloatVector.scalarCount
    var i = 0
    var best: Float = -.infinity
    if n >= w {
        var m = loadVector(x)
        i = w
        while i + w <= n {
            let v = loadVector(x + i)
            m.replace(with: v, where: v .> m)
            i += w
        }
        best = m.max()
    }
    while i < n { if x[i] > best { best = x[i] }; i += 1 }
    return best
}

/// Σ x[0..<n] (one Float accumulator per lane).
func rowSum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    let w = FloatVector.scalarCount
    var acc = FloatVector(repeating: 0)
    var i = 0
    while i + w <= n { acc += loadVector(x + i); i += w }
    var total = acc.sum()
    while i < n { total += x[i]; i += 1 }
    return total
}

/// out[i] = exp(x[i] − shift) for i in 0..<n; returns Σ out (one Float accumulator per lane).
/// `out` may equal `x`; pass nil to only sum.
func expShiftedRow(_ x: UnsafePointer<Float>, shift: Float,
                          _ out: UnsafeMutablePointer<Float>?, _ n: Int) -> Float {
    #if arch(x86_64)
    if VectorKernels.avx2 { return slate_avx2_exp_shifted_row(x, shift, out, n) }
    #endif
    let w = FloatVector.scalarCount
    var acc = FloatVector(repeating: 0)
    var i = 0
    let s = FloatVector(repeating: shift)
    while i + w <= n {
        let e = fastExp(loadVector(x + i) - s)
        if let out { storeVector(e, out + i) }
        acc += e
        i += w
    }
    var total = acc.sum()
    while i < n {
        let e = fastExp(x[i] - shift)
        out?[i] = e
        total += e
        i += 1
    }
    return total
}
