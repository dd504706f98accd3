// Small element-wise kernels of the backward pass and of type conversions. Defined once (kernels_aux.cu).
#pragma once

#include "tile_ops.cuh"

namespace attn4j {


/** One warp per row, grid-stride over rows. */
__global__ void __launch_bounds__(128) dsum_kernel(const DsumParams p) {
    const int lane = threadIdx.x & 31;
    for (int64_t row = static_cast<int64_t>(blockIdx.x) * 4 + (threadIdx.x >> 5); row < p.rows;
         row += static_cast<int64_t>(gridDim.x) * 4) {
        float acc = 0.0f;
        for (int c = lane; c < p.d; c += 32) {
            const int64_t at = row * p.d + c;
            acc += load_as_float(p.o, at, p.o_dtype) * load_as_float(p.d_o, at, p.do_dtype);
        }
#pragma unroll
        for (int x = 16; x >= 1; x >>= 1) {
            acc += __shfl_xor_sync(0xffffffffu, acc, x);
        }
        if (lane == 0) {
            p.dsum[row] = acc;
        }
    }
}

/** dst[i] = src[i] converted between fp32, fp16 and bf16. */
__global__ void convert_kernel(const void* src, int32_t src_dtype, void* dst, int32_t dst_dtype, int64_t n) {
    for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
         i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const float x = load_as_float(src, i, src_dtype);
        if (dst_dtype == 0) {
            static_cast<float*>(dst)[i] = x;
        } else if (dst_dtype == 1) {
            static_cast<__half*>(dst)[i] = __float2half_rn(x);
        } else {
            static_cast<__nv_bfloat16*>(dst)[i] = __float2bfloat16_rn(x);
        }
    }
}

}  // namespace attn4j
