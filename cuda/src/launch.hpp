// Host-side launchers of the kernel instantiations. Each kernels_*.cu compiles one family for one element type
// (so nvcc can build them in parallel); attention.cu picks by dtype, head dim and normalizer.
#pragma once

#include <cuda_runtime.h>

#include "device/decode_params.cuh"
#include "device/params.cuh"

namespace attn4j {

/** Shared memory of the forward and threshold kernels (3 tiles) and of the backward kernel. */
constexpr int forward_smem_bytes(int head_dim) {
    return 3 * 64 * (head_dim + 8) * 2;
}
constexpr int backward_smem_bytes(int head_dim) {
    return 4 * 64 * (head_dim + 8) * 2 + 64 * (64 + 8) * 2 + 2 * 64 * 4;
}

// dtype: 1 fp16, 2 bf16; head_dim: 64 or 128.
cudaError_t launch_forward_f16(int head_dim, bool sparse, const ForwardParams& p, int32_t items, cudaStream_t s);
cudaError_t launch_forward_bf16(int head_dim, bool sparse, const ForwardParams& p, int32_t items, cudaStream_t s);
cudaError_t launch_token_topk_f16(int head_dim, const ForwardParams& p, const ThresholdOutputs& o, int32_t items,
                                  cudaStream_t s);
cudaError_t launch_token_topk_bf16(int head_dim, const ForwardParams& p, const ThresholdOutputs& o, int32_t items,
                                   cudaStream_t s);
cudaError_t launch_sparse_tau_f16(int head_dim, const ForwardParams& p, const ThresholdOutputs& o, int32_t items,
                                  cudaStream_t s);
cudaError_t launch_sparse_tau_bf16(int head_dim, const ForwardParams& p, const ThresholdOutputs& o, int32_t items,
                                   cudaStream_t s);
cudaError_t launch_backward_f16(int head_dim, const BackwardParams& p, int32_t items, cudaStream_t s);
cudaError_t launch_backward_bf16(int head_dim, const BackwardParams& p, int32_t items, cudaStream_t s);

cudaError_t launch_block_means(int dtype, const BlockTopKParams& p, int64_t blocks, cudaStream_t s);
cudaError_t launch_block_select(const BlockTopKParams& p, int64_t blocks, cudaStream_t s);
cudaError_t launch_block_refine(const RefineParams& p, int64_t lines, cudaStream_t s);
cudaError_t launch_dsum(const DsumParams& p, cudaStream_t s);
cudaError_t launch_convert(const void* src, int src_dtype, void* dst, int dst_dtype, int64_t n, cudaStream_t s);

// Decoding (kernels_decode.cu). Shared memory of the chunked passes, for the checks before a launch.
size_t decode_scores_smem(const DecodeParams& p);
size_t decode_output_smem(const DecodeParams& p);
cudaError_t launch_decode_select(const DecodeParams& p, double* block_scores, int64_t rows, cudaStream_t s);
cudaError_t launch_decode_scores(const DecodeParams& p, cudaStream_t s);
cudaError_t launch_decode_rows(const DecodeParams& p, cudaStream_t s);
cudaError_t launch_decode_output(const DecodeParams& p, cudaStream_t s);
cudaError_t launch_kv_append(const KvAppendParams& p, cudaStream_t s);

}  // namespace attn4j
