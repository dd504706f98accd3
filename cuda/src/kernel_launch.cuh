// The one place a kernel is launched. On a GPU through cudaLaunchKernel, which returns this launch's own error (a
// launch followed by cudaGetLastError() would also report an unrelated earlier failure); in the emulator build
// (cuda/emu) through the emulator. Arguments are converted to the kernel's parameter types first, so the bytes
// cudaLaunchKernel copies are always of the type the kernel reads.
#pragma once

#include <cuda_runtime.h>

#include <type_traits>

#if defined(ATTN4J_EMULATOR)
#include "../emu/launch_emu.hpp"
#endif

namespace attn4j {

template <typename Signature>
struct KernelSignature;

template <typename... Params>
struct KernelSignature<void (*)(Params...)> {
    template <auto Kernel>
    static cudaError_t launch(dim3 grid, dim3 block, size_t smem, cudaStream_t stream, std::decay_t<Params>... args) {
#if defined(ATTN4J_EMULATOR)
        return emu::launch<Kernel, std::decay_t<Params>...>(grid, block, smem, stream, args...);
#else
        void* argv[] = {static_cast<void*>(&args)..., nullptr};
        return cudaLaunchKernel(reinterpret_cast<const void*>(Kernel), grid, block, argv, smem, stream);
#endif
    }
};

/** Launches Kernel<<<grid, block, smem, stream>>>(args...) and returns the launch's status. */
template <auto Kernel, typename... Args>
cudaError_t launch_kernel(dim3 grid, dim3 block, size_t smem, cudaStream_t stream, const Args&... args) {
    return KernelSignature<decltype(Kernel)>::template launch<Kernel>(grid, block, smem, stream, args...);
}

}  // namespace attn4j
