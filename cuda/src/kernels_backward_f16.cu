// Backward kernels for __half inputs (head dims 64 and 128).
#include "launch_impl.cuh"

namespace attn4j {

cudaError_t launch_backward_f16(int head_dim, const BackwardParams& p, int32_t items, cudaStream_t s) {
    return launch_backward_t<__half>(head_dim, p, items, s);
}

}  // namespace attn4j
