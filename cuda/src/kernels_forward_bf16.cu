// Forward and threshold kernels for __nv_bfloat16 inputs (head dims 64 and 128).
#include "launch_impl.cuh"

namespace attn4j {

cudaError_t launch_forward_bf16(int head_dim, bool sparse, const ForwardParams& p, int32_t items, cudaStream_t s) {
    return launch_forward_t<__nv_bfloat16>(head_dim, sparse, p, items, s);
}

cudaError_t launch_token_topk_bf16(int head_dim, const ForwardParams& p, const ThresholdOutputs& o, int32_t items,
                                 cudaStream_t s) {
    return launch_token_topk_t<__nv_bfloat16>(head_dim, p, o, items, s);
}

cudaError_t launch_sparse_tau_bf16(int head_dim, const ForwardParams& p, const ThresholdOutputs& o, int32_t items,
                                 cudaStream_t s) {
    return launch_sparse_tau_t<__nv_bfloat16>(head_dim, p, o, items, s);
}

}  // namespace attn4j
