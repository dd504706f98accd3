// What every call of the C ABI that queues kernels shares: stream-ordered workspace buffers and the check of each
// CUDA runtime call where it is made.
#pragma once

#include <cstdint>
#include <vector>

#include "abi_support.hpp"

namespace attn4j {

/** Stream-ordered workspace buffers of one call, freed on the same stream when the call has queued its work. */
class Workspace {
public:
    explicit Workspace(cudaStream_t stream) : stream_(stream) {}
    Workspace(const Workspace&) = delete;
    Workspace& operator=(const Workspace&) = delete;
    ~Workspace() {
        release();  // after a failure: the failure already being reported is the one that matters
    }

    /** Allocates bytes (at least 256) or returns the CUDA error. */
    cudaError_t take(int64_t bytes, void** out) {
        *out = nullptr;
        void* p = nullptr;
        const cudaError_t e = cudaMallocAsync(&p, static_cast<size_t>(bytes > 256 ? bytes : 256), stream_);
        if (e != cudaSuccess) {
            return e;
        }
        buffers_.push_back(p);
        *out = p;
        return cudaSuccess;
    }

    /** Frees every buffer after the work queued so far; returns the first failure (checked where it happens). */
    cudaError_t release() {
        cudaError_t first = cudaSuccess;
        for (void* p : buffers_) {
            const cudaError_t e = cudaFreeAsync(p, stream_);
            first = first == cudaSuccess ? e : first;
        }
        buffers_.clear();
        return first;
    }

private:
    cudaStream_t stream_;
    std::vector<void*> buffers_;
};

#define ATTN4J_TRY(call, what)                  \
    do {                                        \
        const cudaError_t e_ = (call);          \
        if (e_ != cudaSuccess) {                \
            return cuda_fail(e_, what);         \
        }                                       \
    } while (0)

}  // namespace attn4j
