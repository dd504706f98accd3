// Shared by the C ABI's translation units: the thread's last error message, CUDA error mapping, stream handles and
// the registry of live mask plans (handles are ids, so a stale or forged handle is an error, not a crash).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>

#include "../host/args.hpp"
#include "../host/mask_model.hpp"
#include "../host/tile_lists.hpp"
#include "../host/tile_plan.hpp"
#include "../include/attn4j_cuda.h"

namespace attn4j {

/** Records the message of a failure for attn4j_last_error_message and returns code. */
int32_t fail(int32_t code, const std::string& message);

/** Records a CUDA failure (clearing CUDA's non-sticky last error) and returns its code. */
int32_t cuda_fail(cudaError_t error, const char* what);

inline cudaStream_t to_stream(int64_t handle) {
    return handle == 0 ? cudaStreamPerThread : reinterpret_cast<cudaStream_t>(handle);
}

/** A mask plan on the device: the packed tile lists, schedules, block-mask cells and block top-k candidates. */
struct DevicePlan {
    PlanSummary summary;
    MaskParams mask;
    int32_t mb = 1, mh = 1, qtiles = 0, ktiles = 0;
    int32_t has_block = 0;
    CellGrid block;  // cells point into buffer
    int32_t topk_bq = 0, topk_bk = 0, topk_qblocks = 0, topk_kblocks = 0;
    uint8_t* buffer = nullptr;
    PlanLayout layout;
    int32_t rows_capacity = 0, cols_capacity = 0;
    int64_t nonempty_tiles = 0, full_tiles = 0;

    TileListView rows() const {
        return TileListView{reinterpret_cast<const int32_t*>(buffer + layout.rows_count),
                            reinterpret_cast<const int32_t*>(buffer + layout.rows_partial),
                            reinterpret_cast<const int32_t*>(buffer + layout.rows_tiles), rows_capacity, mb, mh, qtiles};
    }
    TileListView cols() const {
        return TileListView{reinterpret_cast<const int32_t*>(buffer + layout.cols_count),
                            reinterpret_cast<const int32_t*>(buffer + layout.cols_partial),
                            reinterpret_cast<const int32_t*>(buffer + layout.cols_tiles), cols_capacity, mb, mh, ktiles};
    }
    const int32_t* fwd_schedule() const {
        return reinterpret_cast<const int32_t*>(buffer + layout.fwd_schedule);
    }
    const int32_t* bwd_schedule() const {
        return reinterpret_cast<const int32_t*>(buffer + layout.bwd_schedule);
    }
    const uint8_t* topk_candidates() const {
        return buffer + layout.topk_candidates;
    }
};

/** A copy of the live plan with this handle, or false. */
bool find_plan(int64_t handle, DevicePlan& out);

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

}  // namespace attn4j
