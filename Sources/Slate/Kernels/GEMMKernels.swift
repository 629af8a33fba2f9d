import CSlateGEMM
import Foundation

/// Which single-threaded GEMM runs each block of Slate's products: the system BLAS
/// (`cblas_sgemm`), or Slate's own AVX-512 kernel (Sources/CSlateGEMM) on an x86-64 CPU that has
/// AVX-512 while its BLAS runs narrower kernels.
///
/// GEMM is 70 % of a GPT step, so its vector width sets the step's speed. OpenBLAS picks its
/// kernels by CPU at load time, but an OpenBLAS older than the CPU picks 256-bit ones, and a
/// machine may pin them with `OPENBLAS_CORETYPE` (set where older builds compute wrong results on
/// a new processor). On a core with full-width AVX-512 units (AMD Zen 5, Intel Xeon) 256-bit
/// kernels reach half the peak. Slate then runs its own 12×32-tile AVX-512 kernel, which is within
/// a few percent of OpenBLAS's own AVX-512 kernels; where OpenBLAS already runs AVX-512 (its
/// SkylakeX, Cooperlake and SapphireRapids cores) or on any other CPU, BLAS runs.
///
/// `SLATE_AVX512_GEMM=0` in the environment keeps BLAS everywhere; `SLATE_AVX512_GEMM=1` runs the
/// AVX-512 kernel whenever the CPU has AVX-512, whatever the BLAS. Both kernels agree with
/// `naiveGemm` to float rounding; they differ from each other in the last bits (another order of
/// additions), so a run's numbers are repeatable for a given machine, kernel and thread count.
package enum GEMMKernels {
    /// Whether products run through the AVX-512 kernel. Setting `true` takes effect only where
    /// the CPU has AVX-512F; tests set `false` to compare with BLAS. An atomic in C: any thread
    /// may read or set it, and it is read once per BLAS-sized block of a product.
    package static var avx512: Bool {
        get {
            var state = slate_gemm_avx512_state()
            if state < 0 {
                state = defaultAVX512 ? 1 : 0
                slate_gemm_set_avx512_state(state)
            }
            return state == 1
        }
        set { slate_gemm_set_avx512_state(newValue && cpuHasAVX512 ? 1 : 0) }
    }

    /// Whether this CPU (and OS) runs AVX-512F.
    package static var cpuHasAVX512: Bool { slate_gemm_cpu_has_avx512() != 0 }

    /// Whether the BLAS library's selected kernels are already AVX-512 ones.
    package static var blasRunsAVX512: Bool {
        ["skylakex", "cooperlake", "sapphirerapids"].contains(BLASInfo.coreName.lowercased())
    }

    /// The choice before any setting: `SLATE_AVX512_GEMM` if it is 0 or 1, else the AVX-512
    /// kernel exactly when the CPU has AVX-512 and the BLAS does not run it (never with Accelerate).
    private static var defaultAVX512: Bool {
        #if canImport(Accelerate)
        return false
        #else
        guard cpuHasAVX512 else { return false }
        switch ProcessInfo.processInfo.environment["SLATE_AVX512_GEMM"] {
        case "0": return false
        case "1": return true
        default: return !blasRunsAVX512
        }
        #endif
    }

    /// One line for `slate info` and benchmark reports: which GEMM runs and why.
    package static var summary: String {
        if avx512 {
            return "Slate AVX-512 (12×32 tile; BLAS core \(BLASInfo.coreName) "
                + (blasRunsAVX512 ? "also runs AVX-512; SLATE_AVX512_GEMM=1" : "runs narrower kernels") + ")"
        }
        if cpuHasAVX512 && !blasRunsAVX512 {
            return "BLAS (SLATE_AVX512_GEMM=0: Slate's AVX-512 kernel would run otherwise)"
        }
        return "BLAS"
    }
}
