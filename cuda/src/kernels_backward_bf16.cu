// Backward kernels for __nv_bfloat16 inputs (head dims 64 and 128).
#include "launch_impl.cuh"

namespace attn4j {

cudaError_t launch_backward_bf16(int head_dim, const BackwardParams& p, int32_t items, cudaStream_t s) {
    return launch_backward_t<__nv_bfloat16>(head_dim, p, items, s);
}

}  // namespace attn4j
