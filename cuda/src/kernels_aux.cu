// The small kernels: block top-k (means, selection, refinement of the tile rows), rowsum(dO * O) and conversions.
#include "device/aux_kernels.cuh"
#include "device/block_topk_kernels.cuh"
#include "kernel_launch.cuh"
#include "launch.hpp"

namespace attn4j {

cudaError_t launch_block_means(int dtype, const BlockTopKParams& p, int64_t blocks, cudaStream_t s) {
    if (blocks <= 0) {
        return cudaSuccess;
    }
    const dim3 grid(static_cast<unsigned>(blocks));
    return dtype == 1 ? launch_kernel<block_means_kernel<__half>>(grid, dim3(128), 0, s, p)
                      : launch_kernel<block_means_kernel<__nv_bfloat16>>(grid, dim3(128), 0, s, p);
}

cudaError_t launch_block_select(const BlockTopKParams& p, int64_t blocks, cudaStream_t s) {
    if (blocks <= 0) {
        return cudaSuccess;
    }
    return launch_kernel<block_select_kernel>(dim3(static_cast<unsigned>(blocks)), dim3(128), 0, s, p);
}

cudaError_t launch_block_refine(const RefineParams& p, int64_t lines, cudaStream_t s) {
    if (lines <= 0) {
        return cudaSuccess;
    }
    return launch_kernel<block_refine_kernel>(dim3(static_cast<unsigned>((lines + 127) / 128)), dim3(128), 0, s, p);
}

cudaError_t launch_dsum(const DsumParams& p, cudaStream_t s) {
    if (p.rows <= 0) {
        return cudaSuccess;
    }
    const int64_t blocks = (p.rows + 3) / 4 < 65536 ? (p.rows + 3) / 4 : 65536;
    return launch_kernel<dsum_kernel>(dim3(static_cast<unsigned>(blocks)), dim3(128), 0, s, p);
}

cudaError_t launch_convert(const void* src, int src_dtype, void* dst, int dst_dtype, int64_t n, cudaStream_t s) {
    if (n <= 0) {
        return cudaSuccess;
    }
    const int64_t blocks = (n + 255) / 256 < 65536 ? (n + 255) / 256 : 65536;
    return launch_kernel<convert_kernel>(dim3(static_cast<unsigned>(blocks)), dim3(256), 0, s, src, src_dtype, dst,
                                         dst_dtype, n);
}

}  // namespace attn4j
