// Shared by the C ABI's translation units: the thread's last error message, CUDA error mapping, and the registry of
// what the ABI hands out (resources.hpp: handles are ids, so a stale or forged handle is an error, not a crash).
#pragma once

#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "../host/args.hpp"
#include "../host/mask_model.hpp"
#include "../host/tile_lists.hpp"
#include "../host/tile_plan.hpp"
#include "../include/attn4j_cuda.h"
#include "resources.hpp"

namespace attn4j {

/** Records the message of a failure for attn4j_last_error_message and returns code. */
int32_t fail(int32_t code, const std::string& message);

/** Records a CUDA failure (clearing CUDA's non-sticky last error) and returns its code. */
int32_t cuda_fail(cudaError_t error, const char* what);

/** Checks and selects a device index, or records why not. */
int32_t check_device(int32_t device);

/** Resolves a stream handle of the ABI, or records why not. */
int32_t resolve_stream(int64_t handle, StreamRef& out);

/** Records a use mark on stream for the allocations and plan the work just queued there uses. */
int32_t mark_use(const StreamRef& stream, const std::vector<std::shared_ptr<Allocation>>& memory, DevicePlan* plan);

/** Runs body, turning C++ exceptions into error codes (nothing may unwind through the C ABI). */
template <typename Body>
int32_t guarded(const char* what, Body&& body) {
    try {
        return body();
    } catch (const std::bad_alloc&) {
        return fail(ATTN4J_ERR_HOST_MEMORY, std::string(what) + ": out of host memory");
    } catch (const std::invalid_argument& e) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, std::string(what) + ": " + e.what());
    } catch (const std::exception& e) {
        return fail(ATTN4J_ERR_INTERNAL, std::string(what) + ": " + e.what());
    } catch (...) {
        return fail(ATTN4J_ERR_INTERNAL, std::string(what) + ": unknown exception");
    }
}

/**
 * The kernels' fp32 scale: the ABI's double rounded, except that a non-zero scale never becomes 0 (it becomes the
 * smallest subnormal of its sign), so a -inf key still scores -inf and never 0 * -inf = NaN (SPEC: a score is IEEE
 * scale * dot; every finite score that small is 0 against exp anyway).
 */
inline float kernel_scale(double scale) {
    const float f = static_cast<float>(scale);
    return f == 0.0f && scale != 0.0 ? std::copysign(std::numeric_limits<float>::denorm_min(), f) : f;
}

}  // namespace attn4j
