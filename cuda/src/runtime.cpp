// The C ABI's device, memory, stream, event, error and plan functions.
#include <dlfcn.h>

#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "abi_support.hpp"

namespace attn4j {

namespace {
thread_local std::string t_last_message;

std::mutex g_plans_mutex;
std::unordered_map<int64_t, DevicePlan> g_plans;
int64_t g_next_plan = 1;

int32_t check_device(int32_t device) {
    if (device < 0) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, "device: expected >= 0, got " + std::to_string(device));
    }
    const cudaError_t e = cudaSetDevice(device);
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaSetDevice");
}

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

bool find_plan(int64_t handle, DevicePlan& out) {
    std::lock_guard<std::mutex> lock(g_plans_mutex);
    auto it = g_plans.find(handle);
    if (it == g_plans.end()) {
        return false;
    }
    out = it->second;
    return true;
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

int32_t attn4j_driver_library_present(void) {
    void* handle = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (handle == nullptr) {
        return 0;
    }
    dlclose(handle);
    return 1;
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
    void* p = nullptr;
    const cudaError_t e = cudaMalloc(&p, static_cast<size_t>(bytes > 0 ? bytes : 1));
    if (e != cudaSuccess) {
        return cuda_fail(e, ("cudaMalloc(" + std::to_string(bytes) + " bytes)").c_str());
    }
    *ptr = reinterpret_cast<int64_t>(p);
    return ATTN4J_OK;
}

int32_t attn4j_free(int32_t device, int64_t ptr) {
    if (ptr == 0) {
        return ATTN4J_OK;
    }
    if (int32_t r = check_device(device)) {
        return r;
    }
    // Work queued on any stream (an asynchronous attention call) may still read this memory: let it finish.
    cudaError_t e = cudaDeviceSynchronize();
    if (e != cudaSuccess) {
        return cuda_fail(e, "cudaFree: cudaDeviceSynchronize");
    }
    e = cudaFree(reinterpret_cast<void*>(ptr));
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaFree");
}

static int32_t copy(int32_t device, int64_t dst, int64_t src, int64_t bytes, int64_t stream, cudaMemcpyKind kind,
                    const char* what) {
    if (bytes < 0 || (bytes > 0 && (dst == 0 || src == 0))) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, std::string(what) + ": expected non-null addresses and bytes >= 0");
    }
    if (bytes == 0) {
        return ATTN4J_OK;
    }
    if (int32_t r = check_device(device)) {
        return r;
    }
    const cudaStream_t s = to_stream(stream);
    cudaError_t e = cudaMemcpyAsync(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src),
                                    static_cast<size_t>(bytes), kind, s);
    if (e == cudaSuccess && kind != cudaMemcpyDeviceToDevice) {
        // Host memory is the caller's (pageable Java buffers): finish before returning it.
        e = cudaStreamSynchronize(s);
    }
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, what);
}

int32_t attn4j_memcpy_h2d(int32_t device, int64_t dst, int64_t src_host, int64_t bytes, int64_t stream) {
    return copy(device, dst, src_host, bytes, stream, cudaMemcpyHostToDevice, "cudaMemcpy host to device");
}

int32_t attn4j_memcpy_d2h(int32_t device, int64_t dst_host, int64_t src, int64_t bytes, int64_t stream) {
    return copy(device, dst_host, src, bytes, stream, cudaMemcpyDeviceToHost, "cudaMemcpy device to host");
}

int32_t attn4j_memcpy_d2d(int32_t device, int64_t dst, int64_t src, int64_t bytes, int64_t stream) {
    return copy(device, dst, src, bytes, stream, cudaMemcpyDeviceToDevice, "cudaMemcpy device to device");
}

int32_t attn4j_memset(int32_t device, int64_t dst, int32_t value, int64_t bytes, int64_t stream) {
    if (bytes < 0 || (bytes > 0 && dst == 0)) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, "memset: expected a non-null address and bytes >= 0");
    }
    if (bytes == 0) {
        return ATTN4J_OK;
    }
    if (int32_t r = check_device(device)) {
        return r;
    }
    const cudaError_t e = cudaMemsetAsync(reinterpret_cast<void*>(dst), value, static_cast<size_t>(bytes),
                                          to_stream(stream));
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaMemsetAsync");
}

int32_t attn4j_stream_create(int32_t device, int64_t* stream) {
    if (int32_t r = require_out(stream, "stream")) {
        return r;
    }
    if (int32_t r = check_device(device)) {
        return r;
    }
    cudaStream_t s = nullptr;
    const cudaError_t e = cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking);
    *stream = reinterpret_cast<int64_t>(s);
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaStreamCreate");
}

int32_t attn4j_stream_destroy(int32_t device, int64_t stream) {
    if (stream == 0) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, "stream: the default stream cannot be destroyed");
    }
    if (int32_t r = check_device(device)) {
        return r;
    }
    const cudaError_t e = cudaStreamDestroy(reinterpret_cast<cudaStream_t>(stream));
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaStreamDestroy");
}

int32_t attn4j_stream_synchronize(int32_t device, int64_t stream) {
    if (int32_t r = check_device(device)) {
        return r;
    }
    const cudaError_t e = cudaStreamSynchronize(to_stream(stream));
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaStreamSynchronize");
}

int32_t attn4j_device_synchronize(int32_t device) {
    if (int32_t r = check_device(device)) {
        return r;
    }
    const cudaError_t e = cudaDeviceSynchronize();
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaDeviceSynchronize");
}

int32_t attn4j_event_create(int32_t device, int64_t* event) {
    if (int32_t r = require_out(event, "event")) {
        return r;
    }
    if (int32_t r = check_device(device)) {
        return r;
    }
    cudaEvent_t ev = nullptr;
    const cudaError_t e = cudaEventCreate(&ev);
    *event = reinterpret_cast<int64_t>(ev);
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaEventCreate");
}

int32_t attn4j_event_destroy(int32_t device, int64_t event) {
    if (event == 0) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, "event: expected an event handle, got 0");
    }
    if (int32_t r = check_device(device)) {
        return r;
    }
    const cudaError_t e = cudaEventDestroy(reinterpret_cast<cudaEvent_t>(event));
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaEventDestroy");
}

int32_t attn4j_event_record(int32_t device, int64_t event, int64_t stream) {
    if (event == 0) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, "event: expected an event handle, got 0");
    }
    if (int32_t r = check_device(device)) {
        return r;
    }
    const cudaError_t e = cudaEventRecord(reinterpret_cast<cudaEvent_t>(event), to_stream(stream));
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaEventRecord");
}

int32_t attn4j_event_synchronize(int32_t device, int64_t event) {
    if (event == 0) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, "event: expected an event handle, got 0");
    }
    if (int32_t r = check_device(device)) {
        return r;
    }
    const cudaError_t e = cudaEventSynchronize(reinterpret_cast<cudaEvent_t>(event));
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaEventSynchronize");
}

int32_t attn4j_event_elapsed_ms(int32_t device, int64_t start, int64_t stop, float* ms) {
    if (ms == nullptr || start == 0 || stop == 0) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, "elapsed time: expected two events and an output");
    }
    if (int32_t r = check_device(device)) {
        return r;
    }
    const cudaError_t e = cudaEventElapsedTime(ms, reinterpret_cast<cudaEvent_t>(start),
                                               reinterpret_cast<cudaEvent_t>(stop));
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
        void* buffer = nullptr;
        cudaError_t e = cudaMalloc(&buffer, static_cast<size_t>(layout.total > 0 ? layout.total : 256));
        if (e != cudaSuccess) {
            return cuda_fail(e, ("plan: cudaMalloc(" + std::to_string(layout.total) + " bytes)").c_str());
        }
        e = cudaMemcpy(buffer, packed.data(), static_cast<size_t>(layout.total), cudaMemcpyHostToDevice);
        if (e != cudaSuccess) {
            cudaFree(buffer);
            return cuda_fail(e, "plan: cudaMemcpy");
        }
        DevicePlan dp;
        dp.summary = PlanSummary{device, a.nq, a.nk, a.batch, a.q_heads, a.kv_heads, a.topk_bq, a.topk_bk};
        dp.mask = req.mask;
        dp.mb = hp.mb;
        dp.mh = hp.mh;
        dp.qtiles = hp.qtiles;
        dp.ktiles = hp.ktiles;
        dp.has_block = req.has_block ? 1 : 0;
        dp.buffer = static_cast<uint8_t*>(buffer);
        dp.layout = layout;
        if (req.has_block) {
            dp.block = req.block;
            dp.block.cells = dp.buffer + layout.block_cells;
        }
        dp.topk_bq = a.topk_bq;
        dp.topk_bk = a.topk_bk;
        dp.topk_qblocks = hp.topk_qblocks;
        dp.topk_kblocks = hp.topk_kblocks;
        dp.rows_capacity = hp.rows.capacity;
        dp.cols_capacity = hp.cols.capacity;
        dp.nonempty_tiles = hp.nonempty_tiles;
        dp.full_tiles = hp.full_tiles;
        std::lock_guard<std::mutex> lock(g_plans_mutex);
        const int64_t id = g_next_plan++;
        g_plans.emplace(id, dp);
        *plan = id;
        return ATTN4J_OK;
    });
}

int32_t attn4j_plan_info(int64_t plan, int64_t* info, int32_t info_count) {
    if (info == nullptr || info_count != ATTN4J_PLAN_INFO_COUNT) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, "plan info: expected room for " + std::to_string(ATTN4J_PLAN_INFO_COUNT)
                    + " values");
    }
    DevicePlan p;
    if (!find_plan(plan, p)) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, "plan: unknown or destroyed handle " + std::to_string(plan));
    }
    info[ATTN4J_PLAN_INFO_QTILES] = p.qtiles;
    info[ATTN4J_PLAN_INFO_KTILES] = p.ktiles;
    info[ATTN4J_PLAN_INFO_MASK_BATCH] = p.mb;
    info[ATTN4J_PLAN_INFO_MASK_HEADS] = p.mh;
    info[ATTN4J_PLAN_INFO_NONEMPTY_TILES] = p.nonempty_tiles;
    info[ATTN4J_PLAN_INFO_FULL_TILES] = p.full_tiles;
    info[ATTN4J_PLAN_INFO_DEVICE_BYTES] = p.layout.total;
    info[ATTN4J_PLAN_INFO_TILE] = 64;
    return ATTN4J_OK;
}

int32_t attn4j_plan_destroy(int64_t plan) {
    DevicePlan p;
    {
        std::lock_guard<std::mutex> lock(g_plans_mutex);
        auto it = g_plans.find(plan);
        if (it == g_plans.end()) {
            return fail(ATTN4J_ERR_INVALID_ARGUMENT, "plan: unknown or destroyed handle " + std::to_string(plan));
        }
        p = it->second;
        g_plans.erase(it);
    }
    if (int32_t r = check_device(p.summary.device)) {
        return r;
    }
    // Work queued on any stream may still read the plan: let it finish first.
    cudaError_t e = cudaDeviceSynchronize();
    if (e != cudaSuccess) {
        return cuda_fail(e, "plan: cudaDeviceSynchronize");
    }
    e = cudaFree(p.buffer);
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "plan: cudaFree");
}

}  // extern "C"
