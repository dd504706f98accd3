// The C ABI's device, memory, stream, event, error and plan functions.
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "abi_support.hpp"

namespace attn4j {

namespace {
thread_local std::string t_last_message;
}  // namespace

int32_t check_device(int32_t device) {
    if (device < 0) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, "device: expected >= 0, got " + std::to_string(device));
    }
    const cudaError_t e = cudaSetDevice(device);
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaSetDevice");
}

namespace {
int32_t require_out(const void* p, const char* field) {
    return p == nullptr ? fail(ATTN4J_ERR_INVALID_ARGUMENT, std::string(field) + ": expected an output pointer, got null")
                        : ATTN4J_OK;
}
}  // namespace

int32_t fail(int32_t code, const std::string& message) {
    t_last_message = message;
    return code;
}

int32_t cuda_fail(cudaError_t error, const char* what) {
    cudaGetLastError();  // clear a non-sticky error so the next call starts clean
    t_last_message = std::string(what) + ": " + cudaGetErrorName(error) + " (" + cudaGetErrorString(error) + ")";
    return static_cast<int32_t>(error);
}

int32_t resolve_stream(int64_t handle, StreamRef& out) {
    if (!Resources::instance().resolve_stream(handle, out)) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, "stream: unknown or destroyed handle " + std::to_string(handle));
    }
    return ATTN4J_OK;
}

int32_t mark_use(const StreamRef& stream, const std::vector<std::shared_ptr<Allocation>>& memory, DevicePlan* plan) {
    cudaError_t e = cudaSuccess;
    auto mark = UseMark::record(stream.stream, e);
    if (!mark) {
        return cuda_fail(e, "cudaEventRecord (use mark)");
    }
    Resources::instance().note_use(stream, mark, memory, plan);
    return ATTN4J_OK;
}

}  // namespace attn4j

using namespace attn4j;

extern "C" {

int32_t attn4j_abi_version(void) {
    return ATTN4J_ABI_VERSION;
}

const char* attn4j_error_name(int32_t code) {
    switch (code) {
        case ATTN4J_ERR_INVALID_ARGUMENT: return "attn4jErrorInvalidArgument";
        case ATTN4J_ERR_UNSUPPORTED: return "attn4jErrorUnsupported";
        case ATTN4J_ERR_HOST_MEMORY: return "attn4jErrorHostMemory";
        case ATTN4J_ERR_INTERNAL: return "attn4jErrorInternal";
        default: return cudaGetErrorName(static_cast<cudaError_t>(code));
    }
}

const char* attn4j_error_string(int32_t code) {
    switch (code) {
        case ATTN4J_ERR_INVALID_ARGUMENT: return "an argument failed validation; nothing was launched";
        case ATTN4J_ERR_UNSUPPORTED: return "this build of attn4j cannot run the request";
        case ATTN4J_ERR_HOST_MEMORY: return "out of host memory";
        case ATTN4J_ERR_INTERNAL: return "internal error";
        default: return cudaGetErrorString(static_cast<cudaError_t>(code));
    }
}

const char* attn4j_last_error_message(void) {
    return t_last_message.c_str();
}

int32_t attn4j_error_is_recoverable(int32_t code) {
    switch (code) {
        case cudaSuccess:
        case cudaErrorInvalidValue:
        case cudaErrorMemoryAllocation:
        case cudaErrorInvalidConfiguration:
        case cudaErrorInvalidDevicePointer:
        case cudaErrorInvalidDevice:
        case cudaErrorInvalidResourceHandle:
        case cudaErrorNotReady:
        case cudaErrorLaunchOutOfResources:
        case cudaErrorInvalidDeviceFunction:
        case cudaErrorNoKernelImageForDevice:
        case ATTN4J_ERR_INVALID_ARGUMENT:
        case ATTN4J_ERR_UNSUPPORTED:
        case ATTN4J_ERR_HOST_MEMORY:
        case ATTN4J_ERR_INTERNAL:
            return 1;
        default:
            return 0;  // sticky or unknown: the context may be unusable
    }
}

int32_t attn4j_driver_version(int32_t* version) {
    if (int32_t r = require_out(version, "version")) {
        return r;
    }
    int v = 0;
    const cudaError_t e = cudaDriverGetVersion(&v);
    *version = v;
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaDriverGetVersion");
}

int32_t attn4j_runtime_version(int32_t* version) {
    if (int32_t r = require_out(version, "version")) {
        return r;
    }
    int v = 0;
    const cudaError_t e = cudaRuntimeGetVersion(&v);
    *version = v;
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaRuntimeGetVersion");
}

int32_t attn4j_device_count(int32_t* count) {
    if (int32_t r = require_out(count, "count")) {
        return r;
    }
    int n = 0;
    const cudaError_t e = cudaGetDeviceCount(&n);
    *count = e == cudaSuccess ? n : 0;
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaGetDeviceCount");
}

int32_t attn4j_device_properties(int32_t device, int32_t* major, int32_t* minor, int32_t* multiprocessors,
                                 int64_t* total_memory, int64_t* max_shared_per_block, char* name,
                                 int32_t name_capacity) {
    if (major == nullptr || minor == nullptr || multiprocessors == nullptr || total_memory == nullptr ||
        max_shared_per_block == nullptr || name == nullptr || name_capacity < 1) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, "device properties: every output must be given");
    }
    if (device < 0) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, "device: expected >= 0, got " + std::to_string(device));
    }
    cudaDeviceProp prop;
    const cudaError_t e = cudaGetDeviceProperties(&prop, device);
    if (e != cudaSuccess) {
        return cuda_fail(e, "cudaGetDeviceProperties");
    }
    *major = prop.major;
    *minor = prop.minor;
    *multiprocessors = prop.multiProcessorCount;
    *total_memory = static_cast<int64_t>(prop.totalGlobalMem);
    *max_shared_per_block = static_cast<int64_t>(prop.sharedMemPerBlockOptin);
    std::strncpy(name, prop.name, static_cast<size_t>(name_capacity) - 1);
    name[name_capacity - 1] = '\0';
    return ATTN4J_OK;
}

int32_t attn4j_mem_info(int32_t device, int64_t* free_bytes, int64_t* total_bytes) {
    if (free_bytes == nullptr || total_bytes == nullptr) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, "memory info: outputs must be given");
    }
    if (int32_t r = check_device(device)) {
        return r;
    }
    size_t f = 0, t = 0;
    const cudaError_t e = cudaMemGetInfo(&f, &t);
    *free_bytes = static_cast<int64_t>(f);
    *total_bytes = static_cast<int64_t>(t);
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaMemGetInfo");
}

int32_t attn4j_malloc(int32_t device, int64_t bytes, int64_t* ptr) {
    return guarded("malloc", [&]() -> int32_t {
        if (int32_t r = require_out(ptr, "ptr")) {
            return r;
        }
        *ptr = 0;
        if (bytes < 0) {
            return fail(ATTN4J_ERR_INVALID_ARGUMENT, "bytes: expected >= 0, got " + std::to_string(bytes));
        }
        if (int32_t r = check_device(device)) {
            return r;
        }
        // From the stream-ordered pool, so that freeing can wait for the memory's last uses without stalling the
        // device; ready on every stream once the allocating stream is synchronised.
        void* p = nullptr;
        cudaError_t e = cudaMallocAsync(&p, static_cast<size_t>(bytes > 0 ? bytes : 1), cudaStreamPerThread);
        if (e != cudaSuccess) {
            return cuda_fail(e, ("cudaMallocAsync(" + std::to_string(bytes) + " bytes)").c_str());
        }
        e = cudaStreamSynchronize(cudaStreamPerThread);
        if (e != cudaSuccess) {
            cudaFreeAsync(p, cudaStreamPerThread);
            return cuda_fail(e, "cudaMallocAsync: cudaStreamSynchronize");
        }
        auto a = std::make_shared<Allocation>();
        a->device = device;
        a->memory = p;
        a->bytes = bytes;
        Resources::instance().add_allocation(a);
        *ptr = reinterpret_cast<int64_t>(p);
        return ATTN4J_OK;
    });
}

int32_t attn4j_free(int32_t device, int64_t ptr) {
    if (ptr == 0) {
        return ATTN4J_OK;
    }
    if (device < 0) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, "device: expected >= 0, got " + std::to_string(device));
    }
    auto a = Resources::instance().remove_allocation(ptr);
    if (!a) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, "ptr: " + std::to_string(ptr) +
                                                         " is not memory from attn4j_malloc, or was freed already");
    }
    // The memory goes when the last call holding it lets go, after every use queued on any stream.
    return ATTN4J_OK;
}

namespace {

/** The allocation holding [ptr, ptr + bytes), or an error naming the field. */
int32_t device_range(int64_t ptr, int64_t bytes, const char* field, std::shared_ptr<Allocation>& out) {
    out = Resources::instance().find_allocation(ptr, bytes);
    if (!out) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, std::string(field) + ": [" + std::to_string(ptr) + ", +" +
                                                         std::to_string(bytes) +
                                                         ") is not inside one live allocation of attn4j_malloc");
    }
    return ATTN4J_OK;
}

int32_t host_range(int64_t host, int64_t capacity, int64_t bytes, const char* field) {
    if (host == 0) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, std::string(field) + ": expected a host address, got null");
    }
    if (capacity < bytes) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, std::string(field) + ": " + std::to_string(bytes) +
                                                         " bytes do not fit in the host buffer's " +
                                                         std::to_string(capacity) + " bytes");
    }
    return ATTN4J_OK;
}

/** A copy between host (pageable) and device memory, finished before returning: the host buffer is the caller's. */
int32_t host_copy(int32_t device, int64_t dst, int64_t src, int64_t bytes, int64_t stream, cudaMemcpyKind kind,
                  const char* what) {
    StreamRef s;
    if (int32_t r = resolve_stream(stream, s)) {
        return r;
    }
    if (int32_t r = check_device(device)) {
        return r;
    }
    cudaError_t e = cudaMemcpyAsync(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src),
                                    static_cast<size_t>(bytes), kind, s.stream);
    if (e == cudaSuccess) {
        e = cudaStreamSynchronize(s.stream);
    }
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, what);
}

}  // namespace

int32_t attn4j_memcpy_h2d(int32_t device, int64_t dst, int64_t src_host, int64_t host_capacity, int64_t bytes,
                          int64_t stream) {
    return guarded("memcpy host to device", [&]() -> int32_t {
        if (bytes < 0) {
            return fail(ATTN4J_ERR_INVALID_ARGUMENT, "bytes: expected >= 0, got " + std::to_string(bytes));
        }
        if (bytes == 0) {
            return ATTN4J_OK;
        }
        std::shared_ptr<Allocation> d;
        if (int32_t r = host_range(src_host, host_capacity, bytes, "src_host")) {
            return r;
        }
        if (int32_t r = device_range(dst, bytes, "dst", d)) {
            return r;
        }
        return host_copy(device, dst, src_host, bytes, stream, cudaMemcpyHostToDevice, "cudaMemcpy host to device");
    });
}

int32_t attn4j_memcpy_d2h(int32_t device, int64_t dst_host, int64_t host_capacity, int64_t src, int64_t bytes,
                          int64_t stream) {
    return guarded("memcpy device to host", [&]() -> int32_t {
        if (bytes < 0) {
            return fail(ATTN4J_ERR_INVALID_ARGUMENT, "bytes: expected >= 0, got " + std::to_string(bytes));
        }
        if (bytes == 0) {
            return ATTN4J_OK;
        }
        std::shared_ptr<Allocation> d;
        if (int32_t r = host_range(dst_host, host_capacity, bytes, "dst_host")) {
            return r;
        }
        if (int32_t r = device_range(src, bytes, "src", d)) {
            return r;
        }
        return host_copy(device, dst_host, src, bytes, stream, cudaMemcpyDeviceToHost, "cudaMemcpy device to host");
    });
}

int32_t attn4j_memcpy_d2d(int32_t device, int64_t dst, int64_t src, int64_t bytes, int64_t stream) {
    return guarded("memcpy device to device", [&]() -> int32_t {
        if (bytes < 0) {
            return fail(ATTN4J_ERR_INVALID_ARGUMENT, "bytes: expected >= 0, got " + std::to_string(bytes));
        }
        if (bytes == 0) {
            return ATTN4J_OK;
        }
        std::vector<std::shared_ptr<Allocation>> used(2);
        if (int32_t r = device_range(dst, bytes, "dst", used[0])) {
            return r;
        }
        if (int32_t r = device_range(src, bytes, "src", used[1])) {
            return r;
        }
        StreamRef s;
        if (int32_t r = resolve_stream(stream, s)) {
            return r;
        }
        if (int32_t r = check_device(device)) {
            return r;
        }
        const cudaError_t e = cudaMemcpyAsync(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src),
                                              static_cast<size_t>(bytes), cudaMemcpyDeviceToDevice, s.stream);
        if (e != cudaSuccess) {
            return cuda_fail(e, "cudaMemcpy device to device");
        }
        return mark_use(s, used, nullptr);
    });
}

int32_t attn4j_memset(int32_t device, int64_t dst, int32_t value, int64_t bytes, int64_t stream) {
    return guarded("memset", [&]() -> int32_t {
        if (bytes < 0) {
            return fail(ATTN4J_ERR_INVALID_ARGUMENT, "bytes: expected >= 0, got " + std::to_string(bytes));
        }
        if (bytes == 0) {
            return ATTN4J_OK;
        }
        std::vector<std::shared_ptr<Allocation>> used(1);
        if (int32_t r = device_range(dst, bytes, "dst", used[0])) {
            return r;
        }
        StreamRef s;
        if (int32_t r = resolve_stream(stream, s)) {
            return r;
        }
        if (int32_t r = check_device(device)) {
            return r;
        }
        const cudaError_t e = cudaMemsetAsync(reinterpret_cast<void*>(dst), value, static_cast<size_t>(bytes), s.stream);
        if (e != cudaSuccess) {
            return cuda_fail(e, "cudaMemsetAsync");
        }
        return mark_use(s, used, nullptr);
    });
}

int32_t attn4j_stream_create(int32_t device, int64_t* stream) {
    return guarded("stream", [&]() -> int32_t {
        if (int32_t r = require_out(stream, "stream")) {
            return r;
        }
        *stream = 0;
        if (int32_t r = check_device(device)) {
            return r;
        }
        auto s = std::make_shared<StreamObject>();
        s->device = device;
        const cudaError_t e = cudaStreamCreateWithFlags(&s->stream, cudaStreamNonBlocking);
        if (e != cudaSuccess) {
            s->stream = nullptr;
            return cuda_fail(e, "cudaStreamCreate");
        }
        *stream = Resources::instance().add_stream(s);
        return ATTN4J_OK;
    });
}

int32_t attn4j_stream_destroy(int32_t device, int64_t stream) {
    if (stream == 0) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, "stream: the default stream cannot be destroyed");
    }
    if (int32_t r = check_device(device)) {
        return r;
    }
    // Calls already using the stream keep it; its queued work still runs.
    return Resources::instance().remove_stream(stream)
            ? ATTN4J_OK
            : fail(ATTN4J_ERR_INVALID_ARGUMENT, "stream: unknown or destroyed handle " + std::to_string(stream));
}

int32_t attn4j_stream_synchronize(int32_t device, int64_t stream) {
    StreamRef s;
    if (int32_t r = resolve_stream(stream, s)) {
        return r;
    }
    if (int32_t r = check_device(device)) {
        return r;
    }
    const cudaError_t e = cudaStreamSynchronize(s.stream);
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaStreamSynchronize");
}

int32_t attn4j_device_synchronize(int32_t device) {
    if (int32_t r = check_device(device)) {
        return r;
    }
    const cudaError_t e = cudaDeviceSynchronize();
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaDeviceSynchronize");
}

namespace {
int32_t find_event(int64_t handle, const char* field, std::shared_ptr<EventObject>& out) {
    out = Resources::instance().find_event(handle);
    if (!out) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, std::string(field) + ": unknown or destroyed event handle " +
                                                         std::to_string(handle));
    }
    return ATTN4J_OK;
}
}  // namespace

int32_t attn4j_event_create(int32_t device, int64_t* event) {
    return guarded("event", [&]() -> int32_t {
        if (int32_t r = require_out(event, "event")) {
            return r;
        }
        *event = 0;
        if (int32_t r = check_device(device)) {
            return r;
        }
        auto ev = std::make_shared<EventObject>();
        ev->device = device;
        const cudaError_t e = cudaEventCreate(&ev->event);
        if (e != cudaSuccess) {
            ev->event = nullptr;
            return cuda_fail(e, "cudaEventCreate");
        }
        *event = Resources::instance().add_event(ev);
        return ATTN4J_OK;
    });
}

int32_t attn4j_event_destroy(int32_t device, int64_t event) {
    if (int32_t r = check_device(device)) {
        return r;
    }
    return Resources::instance().remove_event(event)
            ? ATTN4J_OK
            : fail(ATTN4J_ERR_INVALID_ARGUMENT, "event: unknown or destroyed event handle " + std::to_string(event));
}

int32_t attn4j_event_record(int32_t device, int64_t event, int64_t stream) {
    std::shared_ptr<EventObject> ev;
    if (int32_t r = find_event(event, "event", ev)) {
        return r;
    }
    StreamRef s;
    if (int32_t r = resolve_stream(stream, s)) {
        return r;
    }
    if (int32_t r = check_device(device)) {
        return r;
    }
    const cudaError_t e = cudaEventRecord(ev->event, s.stream);
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaEventRecord");
}

int32_t attn4j_event_synchronize(int32_t device, int64_t event) {
    std::shared_ptr<EventObject> ev;
    if (int32_t r = find_event(event, "event", ev)) {
        return r;
    }
    if (int32_t r = check_device(device)) {
        return r;
    }
    const cudaError_t e = cudaEventSynchronize(ev->event);
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaEventSynchronize");
}

int32_t attn4j_event_elapsed_ms(int32_t device, int64_t start, int64_t stop, float* ms) {
    if (ms == nullptr) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, "ms: expected an output pointer, got null");
    }
    std::shared_ptr<EventObject> a, b;
    if (int32_t r = find_event(start, "start", a)) {
        return r;
    }
    if (int32_t r = find_event(stop, "stop", b)) {
        return r;
    }
    if (int32_t r = check_device(device)) {
        return r;
    }
    const cudaError_t e = cudaEventElapsedTime(ms, a->event, b->event);
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaEventElapsedTime");
}

int32_t attn4j_plan_create(int32_t device, const int64_t* desc, int32_t desc_count, const uint8_t* block_cells,
                           int64_t block_cell_count, int64_t* plan) {
    return guarded("plan", [&]() -> int32_t {
        if (int32_t r = require_out(plan, "plan")) {
            return r;
        }
        *plan = 0;
        PlanArgs a;
        const Check c = decode_plan(desc, desc_count, block_cells, block_cell_count, a);
        if (!c.ok()) {
            return fail(c.code, "plan: " + c.message);
        }
        PlanRequest req;
        req.mask.nq = a.nq;
        req.mask.nk = a.nk;
        req.mask.causal = a.causal;
        req.mask.windowed = a.windowed;
        req.mask.left = a.left;
        req.mask.right = a.right;
        req.mask.global = a.global;
        req.batch = a.batch;
        req.q_heads = a.q_heads;
        req.kv_heads = a.kv_heads;
        req.tile_q = 64;
        req.tile_k = 64;
        req.has_block = a.has_block != 0;
        if (req.has_block) {
            req.block = CellGrid{block_cells, a.block_batch, a.block_heads, a.block_qblocks, a.block_kblocks,
                                 a.block_bq, a.block_bk};
        }
        req.topk_bq = a.topk_bq;
        req.topk_bk = a.topk_bk;
        const HostPlan hp = build_plan(req);  // throws std::invalid_argument naming the field
        const int64_t cell_bytes = req.has_block ? block_cell_count : 0;
        const PlanLayout layout = plan_layout(hp, cell_bytes);
        std::vector<uint8_t> packed(static_cast<size_t>(layout.total));
        plan_pack(hp, block_cells, cell_bytes, layout, packed.data());
        if (int32_t r = check_device(device)) {
            return r;
        }
        // Uploaded in stream order and synchronised: the plan is complete on the device
        // before any stream of any thread can launch with it (a plain cudaMemcpy from pageable memory may return
        // before the data lands, and kernels on non-blocking streams are not ordered after it).
        auto dp = std::make_shared<DevicePlan>();
        void* buffer = nullptr;
        cudaError_t e = cudaMallocAsync(&buffer, static_cast<size_t>(layout.total > 0 ? layout.total : 256),
                                        cudaStreamPerThread);
        if (e != cudaSuccess) {
            return cuda_fail(e, ("plan: cudaMallocAsync(" + std::to_string(layout.total) + " bytes)").c_str());
        }
        dp->buffer = static_cast<uint8_t*>(buffer);  // freed by the plan from here on
        e = cudaMemcpyAsync(buffer, packed.data(), static_cast<size_t>(layout.total), cudaMemcpyHostToDevice,
                            cudaStreamPerThread);
        if (e == cudaSuccess) {
            e = cudaStreamSynchronize(cudaStreamPerThread);
        }
        if (e != cudaSuccess) {
            return cuda_fail(e, "plan: upload");
        }
        dp->summary = PlanSummary{device, a.nq, a.nk, a.batch, a.q_heads, a.kv_heads, a.topk_bq, a.topk_bk};
        dp->mask = req.mask;
        dp->mb = hp.mb;
        dp->mh = hp.mh;
        dp->qtiles = hp.qtiles;
        dp->ktiles = hp.ktiles;
        dp->has_block = req.has_block ? 1 : 0;
        dp->layout = layout;
        if (req.has_block) {
            dp->block = req.block;
            dp->block.cells = dp->buffer + layout.block_cells;
        }
        dp->topk_bq = a.topk_bq;
        dp->topk_bk = a.topk_bk;
        dp->topk_qblocks = hp.topk_qblocks;
        dp->topk_kblocks = hp.topk_kblocks;
        dp->rows_capacity = hp.rows.capacity;
        dp->cols_capacity = hp.cols.capacity;
        dp->nonempty_tiles = hp.nonempty_tiles;
        dp->full_tiles = hp.full_tiles;
        *plan = Resources::instance().add_plan(dp);
        return ATTN4J_OK;
    });
}

int32_t attn4j_plan_info(int64_t plan, int64_t* info, int32_t info_count) {
    if (info == nullptr || info_count != ATTN4J_PLAN_INFO_COUNT) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, "plan info: expected room for " + std::to_string(ATTN4J_PLAN_INFO_COUNT)
                    + " values");
    }
    auto p = Resources::instance().find_plan(plan);
    if (!p) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, "plan: unknown or destroyed handle " + std::to_string(plan));
    }
    info[ATTN4J_PLAN_INFO_QTILES] = p->qtiles;
    info[ATTN4J_PLAN_INFO_KTILES] = p->ktiles;
    info[ATTN4J_PLAN_INFO_MASK_BATCH] = p->mb;
    info[ATTN4J_PLAN_INFO_MASK_HEADS] = p->mh;
    info[ATTN4J_PLAN_INFO_NONEMPTY_TILES] = p->nonempty_tiles;
    info[ATTN4J_PLAN_INFO_FULL_TILES] = p->full_tiles;
    info[ATTN4J_PLAN_INFO_DEVICE_BYTES] = p->layout.total;
    info[ATTN4J_PLAN_INFO_TILE] = 64;
    return ATTN4J_OK;
}

int32_t attn4j_plan_destroy(int64_t plan) {
    // Calls that hold the plan keep it; its memory is freed after their kernels, in stream order.
    return Resources::instance().remove_plan(plan)
            ? ATTN4J_OK
            : fail(ATTN4J_ERR_INVALID_ARGUMENT, "plan: unknown or destroyed handle " + std::to_string(plan));
}

}  // extern "C"
