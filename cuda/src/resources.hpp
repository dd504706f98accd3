// What the C ABI hands out and must not free under a running call: device allocations, streams, events and mask
// plans. Each is registered under a handle (an id or, for memory, its address); a call holds a reference to
// everything it uses while it queues work, and records a use mark (an event) on its stream afterwards. Freeing or
// destroying drops the registry's reference; the resource goes when the last holder lets go, and memory is then
// freed in stream order after every recorded use (cudaFreeAsync behind cudaStreamWaitEvent), so no call stalls the
// whole device and no kernel reads memory freed under it.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "../host/args.hpp"
#include "../host/mask_model.hpp"
#include "../host/tile_lists.hpp"
#include "../host/tile_plan.hpp"

namespace attn4j {

/** An event recorded after one call's work on its stream. */
class UseMark {
public:
    /** Records a mark on stream; null (and e set) on failure. */
    static std::shared_ptr<UseMark> record(cudaStream_t stream, cudaError_t& e);
    explicit UseMark(cudaEvent_t event) : event_(event) {}
    ~UseMark();
    UseMark(const UseMark&) = delete;
    UseMark& operator=(const UseMark&) = delete;
    cudaEvent_t event() const { return event_; }

private:
    cudaEvent_t event_;
};

/** The last use of a resource on each stream it was used on (streams are keyed by id, never reused). */
using LastUses = std::map<int64_t, std::shared_ptr<UseMark>>;

/** Frees device memory once every use completed, on the calling thread's default stream. */
cudaError_t free_after_uses(void* memory, const LastUses& uses);

/** Device memory from attn4j_malloc. */
struct Allocation {
    int32_t device = 0;
    void* memory = nullptr;
    int64_t bytes = 0;
    LastUses uses;  // guarded by the registry's mutex
    ~Allocation();
};

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
    LastUses uses;  // guarded by the registry's mutex
    ~DevicePlan();

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

/** A device KV cache (decode.cpp): keys, values, per-block key sums and lengths of `batch` sequences. */
struct DeviceKvCache {
    int32_t device = 0;
    int32_t batch = 0, kv_heads = 0, d = 0, dv = 0, dtype = 1;
    int32_t capacity = 0, block_size = 1, block_capacity = 0;
    void* k = nullptr;               // [B, Hkv, capacity, D]
    void* v = nullptr;               // [B, Hkv, capacity, Dv]
    double* block_sums = nullptr;    // [B, Hkv, block_capacity, D]
    int32_t* device_lengths = nullptr;  // [B]
    std::vector<int32_t> lengths;    // the same, on the host
    std::mutex mutex;                // appends and growth against each other
    LastUses uses;                   // guarded by the registry's mutex
    ~DeviceKvCache();
};

/** A stream created through the C ABI; destroyed when the last holder lets go. */
struct StreamObject {
    cudaStream_t stream = nullptr;
    int32_t device = 0;
    ~StreamObject();
};

/** An event created through the C ABI. */
struct EventObject {
    cudaEvent_t event = nullptr;
    int32_t device = 0;
    ~EventObject();
};

/** A stream argument resolved for one call: the CUDA stream, its key for use marks, and a reference keeping it. */
struct StreamRef {
    cudaStream_t stream = cudaStreamPerThread;
    int64_t key = 0;
    std::shared_ptr<StreamObject> holder;
};

class Resources {
public:
    static Resources& instance();

    void add_allocation(const std::shared_ptr<Allocation>& a);
    /** Removes the allocation whose base is ptr; null when there is none. */
    std::shared_ptr<Allocation> remove_allocation(int64_t ptr);
    /** The live allocation holding [ptr, ptr + bytes), or null. */
    std::shared_ptr<Allocation> find_allocation(int64_t ptr, int64_t bytes) const;

    int64_t add_stream(const std::shared_ptr<StreamObject>& s);
    std::shared_ptr<StreamObject> find_stream(int64_t id) const;
    bool remove_stream(int64_t id);
    /** Resolves a stream handle of the ABI (0: the calling thread's default stream); false if unknown. */
    bool resolve_stream(int64_t handle, StreamRef& out) const;

    int64_t add_event(const std::shared_ptr<EventObject>& e);
    std::shared_ptr<EventObject> find_event(int64_t id) const;
    bool remove_event(int64_t id);

    int64_t add_cache(const std::shared_ptr<DeviceKvCache>& c);
    std::shared_ptr<DeviceKvCache> find_cache(int64_t id) const;
    std::shared_ptr<DeviceKvCache> remove_cache(int64_t id);
    /** Records a use of a cache's memory by work just queued on stream. */
    void note_cache_use(const StreamRef& stream, const std::shared_ptr<UseMark>& mark, DeviceKvCache& cache);

    int64_t add_plan(const std::shared_ptr<DevicePlan>& p);
    std::shared_ptr<DevicePlan> find_plan(int64_t id) const;
    std::shared_ptr<DevicePlan> remove_plan(int64_t id);

    /** Records that the work just queued on stream used these allocations and plan. */
    void note_use(const StreamRef& stream, const std::shared_ptr<UseMark>& mark,
                  const std::vector<std::shared_ptr<Allocation>>& memory, DevicePlan* plan);

private:
    mutable std::mutex mutex_;
    std::map<int64_t, std::shared_ptr<Allocation>> allocations_;  // by base address
    std::unordered_map<int64_t, std::shared_ptr<StreamObject>> streams_;
    std::unordered_map<int64_t, std::shared_ptr<EventObject>> events_;
    std::unordered_map<int64_t, std::shared_ptr<DevicePlan>> plans_;
    std::unordered_map<int64_t, std::shared_ptr<DeviceKvCache>> caches_;
    int64_t next_id_ = 1;
};

}  // namespace attn4j
