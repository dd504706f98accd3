// Launch helpers shared by the per-type instantiation units.
#pragma once

#include "device/backward_kernels.cuh"
#include "device/forward_kernel.cuh"
#include "device/threshold_kernels.cuh"
#include "kernel_launch.cuh"
#include "launch.hpp"

namespace attn4j {

/** Launches Kernel with dynamic shared memory, raising the kernel's limit first when it needs more than 48 KiB. */
template <auto Kernel, typename... Args>
cudaError_t launch_with_smem(int32_t blocks, int smem, cudaStream_t s, const Args&... args) {
    if (blocks <= 0) {
        return cudaSuccess;
    }
    if (smem > 48 * 1024) {
        const cudaError_t e = cudaFuncSetAttribute(reinterpret_cast<const void*>(Kernel),
                                                   cudaFuncAttributeMaxDynamicSharedMemorySize, smem);
        if (e != cudaSuccess) {
            return e;
        }
    }
    return launch_kernel<Kernel>(dim3(static_cast<unsigned>(blocks)), dim3(kThreads), static_cast<size_t>(smem), s,
                                 args...);
}

template <typename T>
cudaError_t launch_forward_t(int head_dim, bool sparse, const ForwardParams& p, int32_t items, cudaStream_t s) {
    const int smem = forward_smem_bytes(head_dim);
    if (head_dim == 64) {
        return sparse ? launch_with_smem<forward_kernel<64, T, true>>(items, smem, s, p)
                      : launch_with_smem<forward_kernel<64, T, false>>(items, smem, s, p);
    }
    if (head_dim == 128) {
        return sparse ? launch_with_smem<forward_kernel<128, T, true>>(items, smem, s, p)
                      : launch_with_smem<forward_kernel<128, T, false>>(items, smem, s, p);
    }
    return cudaErrorInvalidValue;
}

template <typename T>
cudaError_t launch_token_topk_t(int head_dim, const ForwardParams& p, const ThresholdOutputs& o, int32_t items,
                                cudaStream_t s) {
    const int smem = forward_smem_bytes(head_dim);
    if (head_dim == 64) {
        return launch_with_smem<token_topk_kernel<64, T>>(items, smem, s, p, o);
    }
    if (head_dim == 128) {
        return launch_with_smem<token_topk_kernel<128, T>>(items, smem, s, p, o);
    }
    return cudaErrorInvalidValue;
}

template <typename T>
cudaError_t launch_sparse_tau_t(int head_dim, const ForwardParams& p, const ThresholdOutputs& o, int32_t items,
                                cudaStream_t s) {
    const int smem = forward_smem_bytes(head_dim);
    if (head_dim == 64) {
        return launch_with_smem<sparse_tau_kernel<64, T>>(items, smem, s, p, o);
    }
    if (head_dim == 128) {
        return launch_with_smem<sparse_tau_kernel<128, T>>(items, smem, s, p, o);
    }
    return cudaErrorInvalidValue;
}

template <typename T>
cudaError_t launch_backward_t(int head_dim, const BackwardParams& p, int32_t items, cudaStream_t s) {
    const int smem = backward_smem_bytes(head_dim);
    if (head_dim == 64) {
        return launch_with_smem<backward_kernel<64, T>>(items, smem, s, p);
    }
    if (head_dim == 128) {
        return launch_with_smem<backward_kernel<128, T>>(items, smem, s, p);
    }
    return cudaErrorInvalidValue;
}

}  // namespace attn4j
