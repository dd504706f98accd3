// How the launch helper (src/kernel_launch.cuh) starts a kernel in the emulator build: the arguments are packed as
// the kernel's parameter block, and every GPU thread unpacks its own copy on its own stack, as a GPU thread reads
// its parameter space. The kernel's name (for fault reports) is its template argument's spelling.
#pragma once

#include <cuda_runtime.h>

#include <array>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "cta.hpp"

namespace attn4j {
namespace emu {

/**
 * Validates a launch and queues it on its stream (runtime_api.cpp). The emulator copies everything it keeps, so
 * nothing the kernel's translation unit allocates crosses to another thread (sanitizer builds instrument these
 * units and not the emulator).
 */
cudaError_t queue_launch(const char* name, const void* function, void (*invoke)(const unsigned char*),
                         const unsigned char* params, size_t param_bytes, dim3 grid, dim3 block, size_t shared_bytes,
                         cudaStream_t stream);

/** "attn4j::forward_kernel<64, __half, false>" for Kernel = forward_kernel<64, __half, false>. */
template <auto Kernel>
std::string kernel_name() {
    const std::string_view f = __PRETTY_FUNCTION__;
    const std::string_view key = "Kernel = ";
    const size_t start = f.find(key);
    if (start == std::string_view::npos) {
        return "kernel";
    }
    size_t i = start + key.size();
    int depth = 0;
    size_t end = i;
    for (; end < f.size(); ++end) {
        const char c = f[end];
        if (c == '<' || c == '(') {
            ++depth;
        } else if (c == '>' || c == ')') {
            --depth;
        } else if ((c == ';' || c == ']') && depth == 0) {
            break;
        }
    }
    return std::string(f.substr(i, end - i));
}

/** Offsets of the parameters P... in the parameter block (each at its alignment), and the block's size. */
template <typename... P>
struct ParamLayout {
    static constexpr size_t count = sizeof...(P);
    static constexpr std::array<size_t, count + 1> offsets() {
        std::array<size_t, count + 1> out{};
        const size_t sizes[] = {sizeof(P)..., 0};
        const size_t aligns[] = {alignof(P)..., 1};
        size_t at = 0;
        for (size_t i = 0; i < count; ++i) {
            at = (at + aligns[i] - 1) / aligns[i] * aligns[i];
            out[i] = at;
            at += sizes[i];
        }
        out[count] = at;
        return out;
    }
};

template <typename T>
T load_param(const unsigned char* p) {
    T v;
    std::memcpy(static_cast<void*>(&v), p, sizeof(T));
    return v;
}

template <auto Kernel, typename... P, size_t... I>
void invoke_with(const unsigned char* params, std::index_sequence<I...>) {
    constexpr auto offsets = ParamLayout<P...>::offsets();
    Kernel(load_param<P>(params + offsets[I])...);
}

/** Runs the kernel body of one GPU thread from its parameter block. */
template <auto Kernel, typename... P>
void invoke(const unsigned char* params) {
    invoke_with<Kernel, P...>(params, std::index_sequence_for<P...>{});
}

/** Launches Kernel (a function taking P...) on the emulated device. */
template <auto Kernel, typename... P>
cudaError_t launch(dim3 grid, dim3 block, size_t shared_bytes, cudaStream_t stream, const P&... args) {
    static_assert((std::is_trivially_copyable_v<P> && ...), "kernel parameters are copied as bytes");
    constexpr auto offsets = ParamLayout<P...>::offsets();
    static_assert(offsets[sizeof...(P)] <= 4096, "kernel parameters above 4 KiB");
    alignas(16) unsigned char params[offsets[sizeof...(P)] + 1];
    size_t i = 0;
    ((std::memcpy(params + offsets[i++], static_cast<const void*>(&args), sizeof(P))), ...);
    static const std::string name = kernel_name<Kernel>();
    return queue_launch(name.c_str(), reinterpret_cast<const void*>(Kernel), &invoke<Kernel, P...>, params,
                        offsets[sizeof...(P)], grid, block, shared_bytes, stream);
}

}  // namespace emu
}  // namespace attn4j
