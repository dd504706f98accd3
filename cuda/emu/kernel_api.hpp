// What emulated kernel code calls: the CUDA built-ins and the PTX instructions, implemented by the emulator for the
// GPU thread that is running. Every function here is out of line on purpose: kernel translation units are compiled
// with memory-access instrumentation (memcheck, AddressSanitizer or ThreadSanitizer), and the emulator's own
// bookkeeping must not be mistaken for the kernel's memory accesses.
#pragma once

#include <cstddef>
#include <cstdint>

#include <vector_types.h>

namespace attn4j {
namespace emu {

uint3 thread_idx();
uint3 block_idx();
dim3 block_dim();
dim3 grid_dim();

/** __syncthreads / __syncthreads_or: a barrier of the whole CTA (at a source location, to report divergence). */
void sync_threads(const char* file, int line);
int sync_threads_or(int predicate, const char* file, int line);

/** Warp collectives over the lanes of mask (every lane of mask must take part). */
int warp_all(unsigned mask, int predicate);
uint64_t warp_shfl_xor(unsigned mask, uint64_t bits, int lane_mask, int width);

/** cp.async.cg.shared.global of 16 bytes (zero-fill when !valid), commit_group, wait_group n. */
void cp_async_16(void* smem_dst, const void* gmem_src, bool valid);
void cp_async_commit();
void cp_async_wait(int n);

/** ldmatrix.sync.aligned.m8n8.x4(.trans).shared.b16. */
void ldmatrix_x4(uint32_t (&regs)[4], const void* smem_row, bool trans);

/** mma.sync.aligned.m16n8k16.row.col.f32.{f16,bf16}: d += a b. */
void mma_16816_f16(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1);
void mma_16816_bf16(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1);

/** Checks a global access a kernel makes outside the instrumented code (atomics); faults the thread if invalid. */
void check_global(const void* p, size_t bytes, bool write, const char* what);

/** Stops the GPU thread with a fault (e.g. __trap). */
[[noreturn]] void trap(const char* what);

}  // namespace emu
}  // namespace attn4j
