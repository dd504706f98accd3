// Tiny kernels for the emulator's own tests: the fragment pairings the attention kernels rely on, the warp and block
// built-ins, and deliberate bugs the emulator must report. Each launcher queues its kernel on stream through the
// project's launch helper (src/kernel_launch.cuh) and returns the launch's status.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace attn4j {
namespace planted {

/** Which fragment pairing of host/fragments.hpp a product kernel uses (see planted_kernels.cu). */
enum class Pairing { QKt, PV, DsK };

/**
 * D (16 x 16, fp32) = A (16 x 16) B (16 x 16) with the operands laid out as the attention kernels keep them in shared
 * memory: QKt: a [m][k] row-major, b given as [n][k] (B transposed); PV: a [m][k] given as fp32 (rounded to fp16 in
 * registers), b [k][n] row-major read with ldmatrix.trans; DsK: a given transposed as [k][m], b [k][n]. Inputs are
 * fp16 bits in global memory (a_fp32 for PV), 32 threads.
 */
cudaError_t product(Pairing pairing, const uint16_t* a, const float* a_fp32, const uint16_t* b, float* d,
                    cudaStream_t s);

/** out[lane] for 64 threads: xor-shuffles of lane ids, __all_sync of (lane < 40), __syncthreads_or of (tid == 63). */
cudaError_t builtins(int32_t* out, cudaStream_t s);

/** out[t] = in[t] for n threads, through the legacy-stream-agnostic path (a plain copy kernel). */
cudaError_t copy_ints(const int32_t* in, int32_t* out, int n, cudaStream_t s);

// Deliberate bugs; each must be reported when the device is synchronised.
cudaError_t missing_barrier(float* out, cudaStream_t s);           // shared write, read by a neighbour, no barrier
cudaError_t missing_barrier_war(float* out, cudaStream_t s);       // read of a neighbour's slot, then overwritten
cudaError_t wrong_wait_count(const float* in, float* out, cudaStream_t s);  // cp.async.wait_group 1 for 1 group
cudaError_t out_of_bounds_read(const float* in, int n, float* out, cudaStream_t s);     // reads in[n]
cudaError_t out_of_bounds_cp_async(const float* in, int n, float* out, cudaStream_t s);  // cp.async past the end
cudaError_t shared_out_of_bounds(float* out, int smem_bytes, cudaStream_t s);  // writes past the dynamic smem
cudaError_t divergent_barrier(float* out, cudaStream_t s);         // two different __syncthreads
cudaError_t partial_barrier(float* out, cudaStream_t s);           // half the CTA skips the barrier
cudaError_t divergent_warp(float* out, cudaStream_t s);            // half a warp shuffles, half votes
cudaError_t misaligned_ldmatrix(float* out, cudaStream_t s);       // a row address 8 bytes off
/** A kernel asking for smem_bytes of dynamic shared memory (optionally opting in above 48 KiB first). */
cudaError_t large_shared(float* out, int smem_bytes, bool opt_in, cudaStream_t s);

}  // namespace planted
}  // namespace attn4j
