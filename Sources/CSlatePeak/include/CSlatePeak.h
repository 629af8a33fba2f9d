// The FP32 peak loops for x86-64 CPUs with AVX2 and FMA, and with AVX-512, compiled for those instructions even in
// a portable (baseline x86-64) build via a function-level target attribute. Swift cannot mark
// one function for a wider ISA, so this loop lives in C; Slate calls it only after checking the
// CPU's flags (see Sources/Slate/Kernels/PeakFLOPS.swift). On other architectures it is absent.
#ifndef CSLATEPEAK_H
#define CSLATEPEAK_H

/// 1 when this build contains slate_fma_peak_avx2 (x86-64 only).
int slate_has_avx2_fma_loop(void);

/// Eight independent chains of 256-bit fused multiply-adds, acc = acc * one + step, run
/// `iterations` times; returns a checksum. FLOPs: iterations * 8 chains * 8 lanes * 2.
/// Only call it on a CPU with AVX2 and FMA.
float slate_fma_peak_avx2(long iterations, float one, float step);

/// 1 when this build contains slate_fma_peak_avx512 (x86-64 only).
int slate_has_avx512_fma_loop(void);

/// Twelve independent chains of 512-bit fused multiply-adds, acc = acc * one + step, run
/// `iterations` times; returns a checksum. FLOPs: iterations * 12 chains * 16 lanes * 2.
/// Only call it on a CPU (and OS) with AVX-512F.
float slate_fma_peak_avx512(long iterations, float one, float step);

#endif
