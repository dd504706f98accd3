// Decode and KV-cache kernels for __half and __nv_bfloat16 (any head dim that is a multiple of 8, up to 256).
#include "device/decode_kernels.cuh"
#include "kernel_launch.cuh"
#include "launch.hpp"

namespace attn4j {

namespace {

template <auto Kernel, typename... Args>
cudaError_t launch_decode_grid(dim3 grid, size_t smem, cudaStream_t s, const Args&... args) {
    if (grid.x == 0 || grid.y == 0) {
        return cudaSuccess;
    }
    if (smem > 48 * 1024) {
        const cudaError_t e = cudaFuncSetAttribute(reinterpret_cast<const void*>(Kernel),
                                                   cudaFuncAttributeMaxDynamicSharedMemorySize,
                                                   static_cast<int>(smem));
        if (e != cudaSuccess) {
            return e;
        }
    }
    return launch_kernel<Kernel>(grid, dim3(kDecodeChunk), smem, s, args...);
}

dim3 chunk_grid(const DecodeParams& p) {
    return dim3(static_cast<unsigned>(p.batch * p.kv_heads),
                static_cast<unsigned>((p.max_length + kDecodeChunk - 1) / kDecodeChunk));
}

}  // namespace

size_t decode_scores_smem(const DecodeParams& p) {
    return static_cast<size_t>(kDecodeChunk) * p.d * 2 + static_cast<size_t>(p.group) * p.nq * p.d * 4;
}

size_t decode_output_smem(const DecodeParams& p) {
    return static_cast<size_t>(p.group) * p.nq * kDecodeChunk * 4 + static_cast<size_t>(kDecodeChunk) * p.dv * 2;
}

cudaError_t launch_decode_select(const DecodeParams& p, double* block_scores, int64_t rows, cudaStream_t s) {
    if (rows <= 0) {
        return cudaSuccess;
    }
    const dim3 grid(static_cast<unsigned>(rows));
    return p.dtype == 1 ? launch_kernel<decode_select_kernel<__half>>(grid, dim3(128), 0, s, p, block_scores)
                        : launch_kernel<decode_select_kernel<__nv_bfloat16>>(grid, dim3(128), 0, s, p, block_scores);
}

cudaError_t launch_decode_scores(const DecodeParams& p, cudaStream_t s) {
    return p.dtype == 1 ? launch_decode_grid<decode_scores_kernel<__half>>(chunk_grid(p), decode_scores_smem(p), s, p)
                        : launch_decode_grid<decode_scores_kernel<__nv_bfloat16>>(chunk_grid(p),
                                                                                 decode_scores_smem(p), s, p);
}

cudaError_t launch_decode_rows(const DecodeParams& p, cudaStream_t s) {
    const int64_t rows = static_cast<int64_t>(p.batch) * p.q_heads * p.nq;
    if (rows <= 0) {
        return cudaSuccess;
    }
    return launch_kernel<decode_rows_kernel>(dim3(static_cast<unsigned>(rows)), dim3(128), 0, s, p);
}

cudaError_t launch_decode_output(const DecodeParams& p, cudaStream_t s) {
    return p.dtype == 1 ? launch_decode_grid<decode_output_kernel<__half>>(chunk_grid(p), decode_output_smem(p), s, p)
                        : launch_decode_grid<decode_output_kernel<__nv_bfloat16>>(chunk_grid(p),
                                                                                 decode_output_smem(p), s, p);
}

cudaError_t launch_kv_append(const KvAppendParams& p, cudaStream_t s) {
    const int64_t rows = static_cast<int64_t>(p.batch) * p.kv_heads * p.t;
    if (rows <= 0) {
        return cudaSuccess;
    }
    const dim3 copy_grid(static_cast<unsigned>(rows));
    const dim3 sums_grid(static_cast<unsigned>(static_cast<int64_t>(p.batch) * p.kv_heads));
    cudaError_t e = p.dtype == 1 ? launch_kernel<kv_copy_kernel<__half>>(copy_grid, dim3(128), 0, s, p)
                                 : launch_kernel<kv_copy_kernel<__nv_bfloat16>>(copy_grid, dim3(128), 0, s, p);
    if (e != cudaSuccess) {
        return e;
    }
    return p.dtype == 1 ? launch_kernel<kv_sums_kernel<__half>>(sums_grid, dim3(128), 0, s, p)
                        : launch_kernel<kv_sums_kernel<__nv_bfloat16>>(sums_grid, dim3(128), 0, s, p);
}

}  // namespace attn4j
