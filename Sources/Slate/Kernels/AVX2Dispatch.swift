import CSlateVector

/// Which build of the row kernels runs: the AVX2/FMA versions in C (Sources/CSlateVector) on an
/// x86-64 CPU that has them, or Slate's portable Swift SIMD everywhere else.
///
/// The release build takes no unsafe flags, so Swift code is compiled for baseline x86-64 (SSE2:
/// 4 lanes, no fused multiply-add, no blend). The exp rows of softmax and attention and GELU's
/// forward and backward are a tenth of a GPT step; for them a C function with a target attribute
/// runs 8 lanes with FMA. Both builds use the same method and constants; they differ only in
/// rounding (fused multiply-adds), a few units in the last place. aarch64 builds always run the
/// Swift kernels, which already compile to NEON `fmla`.
package enum VectorKernels {
    /// Whether the AVX2/FMA kernels run. Setting `false` makes every kernel take the portable
    /// path (tests compare the two); setting `true` takes effect only where the CPU has AVX2 and
    /// FMA. Read once per row kernel call: an atomic in C, so any thread may set it.
    package static var avx2: Bool {
        get { slate_vector_avx2_enabled() != 0 }
        set { _ = slate_vector_set_avx2(newValue ? 1 : 0) }
    }
}
