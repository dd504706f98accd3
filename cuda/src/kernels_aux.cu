// The small kernels: block top-k (means, selection, refinement of the tile rows), rowsum(dO * O) and conversions.
#include "device/aux_kernels.cuh"
#include "device/block_topk_kernels.cuh"
#include "launch.hpp"

namespace attn4j {

cudaError_t launch_block_means(int dtype, const BlockTopKParams& p, int64_t blocks, cudaStream_t s) {
    if (blocks <= 0) {
        return cudaSuccess;
    }
    if (dtype == 1) {
        block_means_kernel<__half><<<static_cast<unsigned>(blocks), 128, 0, s>>>(p);
    } else {
        block_means_kernel<__nv_bfloat16><<<static_cast<unsigned>(blocks), 128, 0, s>>>(p);
    }
    return cudaGetLastError();
}

cudaError_t launch_block_select(const BlockTopKParams& p, int64_t blocks, cudaStream_t s) {
    if (blocks <= 0) {
        return cudaSuccess;
    }
    block_select_kernel<<<static_cast<unsigned>(blocks), 128, 0, s>>>(p);
    return cudaGetLastError();
}

cudaError_t launch_block_refine(const RefineParams& p, int64_t lines, cudaStream_t s) {
    if (lines <= 0) {
        return cudaSuccess;
    }
    block_refine_kernel<<<static_cast<unsigned>((lines + 127) / 128), 128, 0, s>>>(p);
    return cudaGetLastError();
}

cudaError_t launch_dsum(const DsumParams& p, cudaStream_t s) {
    if (p.rows <= 0) {
        return cudaSuccess;
    }
    const int64_t blocks = (p.rows + 3) / 4 < 65536 ? (p.rows + 3) / 4 : 65536;
    dsum_kernel<<<static_cast<unsigned>(blocks), 128, 0, s>>>(p);
    return cudaGetLastError();
}

cudaError_t launch_convert(const void* src, int src_dtype, void* dst, int dst_dtype, int64_t n, cudaStream_t s) {
    if (n <= 0) {
        return cudaSuccess;
    }
    const int64_t blocks = (n + 255) / 256 < 65536 ? (n + 255) / 256 : 65536;
    convert_kernel<<<static_cast<unsigned>(blocks), 256, 0, s>>>(src, src_dtype, dst, dst_dtype, n);
    return cudaGetLastError();
}

}  // namespace attn4j
