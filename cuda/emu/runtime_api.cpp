// The CUDA runtime functions attn4j's C ABI (src/runtime.cpp, src/attention.cpp) and the checks (test/gpu_check.cpp)
// call, implemented on the emulated device with the runtime's documented semantics: a per-thread last error, a
// sticky error after a faulting kernel, stream ordering, pageable-memory copy rules, the stream-ordered allocator.
// Linked instead of libcudart_static.a in the emulator builds; the declarations are CUDA's own headers.
#include <cuda_runtime.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <vector>

#include "device.hpp"
#include "emu_api.h"

using attn4j::emu::Dependency;
using attn4j::emu::Device;
using attn4j::emu::Event;
using attn4j::emu::Stream;
using attn4j::emu::device;

namespace {

thread_local cudaError_t t_last_error = cudaSuccess;
std::atomic<int64_t> g_device_syncs{0};

/** Returns e, remembering it as the thread's last error when it is one (every runtime call does this). */
cudaError_t result(cudaError_t e) {
    if (e != cudaSuccess) {
        t_last_error = e;
    }
    return e;
}

/** The sticky error of a faulted kernel, which every call that touches the context reports. */
cudaError_t broken() {
    return device().sticky();
}

bool is_device(const void* p, size_t n) {
    return device().memory().contains(p, n);
}

/** Where the bytes of a copy of this kind live, and whether the pointers agree with it. */
bool valid_copy(void* dst, const void* src, size_t n, cudaMemcpyKind& kind) {
    if (n == 0) {
        return true;
    }
    if (dst == nullptr || src == nullptr) {
        return false;
    }
    const bool dst_dev = is_device(dst, n);
    const bool src_dev = is_device(src, n);
    if (kind == cudaMemcpyDefault) {
        kind = src_dev ? (dst_dev ? cudaMemcpyDeviceToDevice : cudaMemcpyDeviceToHost)
                       : (dst_dev ? cudaMemcpyHostToDevice : cudaMemcpyHostToHost);
    }
    switch (kind) {
        case cudaMemcpyHostToDevice: return dst_dev;
        case cudaMemcpyDeviceToHost: return src_dev;
        case cudaMemcpyDeviceToDevice: return dst_dev && src_dev;
        case cudaMemcpyHostToHost: return true;
        default: return false;
    }
}

/**
 * Queues a copy on stream with CUDA's rules for pageable host memory (all host memory is pageable here): host to
 * device reads the source now (staging) and lands in stream order; device to host waits until it is done.
 */
cudaError_t queue_copy(void* dst, const void* src, size_t n, cudaMemcpyKind kind, const std::shared_ptr<Stream>& s,
                       bool synchronous_api) {
    if (!valid_copy(dst, src, n, kind)) {
        return cudaErrorInvalidValue;
    }
    if (n == 0) {
        return cudaSuccess;
    }
    Device& d = device();
    if (kind == cudaMemcpyHostToHost) {
        d.enqueue(s, [] {});
        s->drain();
        std::memcpy(dst, src, n);
        return cudaSuccess;
    }
    if (kind == cudaMemcpyHostToDevice) {
        if (synchronous_api) {
            // cudaMemcpy from pageable memory: the stream's earlier work first, then the copy is staged and the call
            // returns; the data reaches the device later, in the legacy stream's order.
            s->drain();
        }
        auto staged = std::make_shared<std::vector<unsigned char>>(static_cast<const unsigned char*>(src),
                                                                   static_cast<const unsigned char*>(src) + n);
        d.enqueue(s, [dst, staged] { std::memcpy(dst, staged->data(), staged->size()); });
        return cudaSuccess;
    }
    const uint64_t seq = d.enqueue(s, [dst, src, n] { std::memmove(dst, src, n); });
    if (kind == cudaMemcpyDeviceToHost) {
        s->wait(seq);  // pageable destination: the call returns when the data is there
    }
    return cudaSuccess;
}

const char* error_name(cudaError_t e) {
    switch (e) {
        case cudaSuccess: return "cudaSuccess";
        case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
        case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
        case cudaErrorInitializationError: return "cudaErrorInitializationError";
        case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
        case cudaErrorInvalidDevicePointer: return "cudaErrorInvalidDevicePointer";
        case cudaErrorInsufficientDriver: return "cudaErrorInsufficientDriver";
        case cudaErrorInvalidDeviceFunction: return "cudaErrorInvalidDeviceFunction";
        case cudaErrorNoDevice: return "cudaErrorNoDevice";
        case cudaErrorInvalidDevice: return "cudaErrorInvalidDevice";
        case cudaErrorNoKernelImageForDevice: return "cudaErrorNoKernelImageForDevice";
        case cudaErrorInvalidResourceHandle: return "cudaErrorInvalidResourceHandle";
        case cudaErrorNotReady: return "cudaErrorNotReady";
        case cudaErrorIllegalAddress: return "cudaErrorIllegalAddress";
        case cudaErrorLaunchOutOfResources: return "cudaErrorLaunchOutOfResources";
        case cudaErrorLaunchTimeout: return "cudaErrorLaunchTimeout";
        case cudaErrorIllegalInstruction: return "cudaErrorIllegalInstruction";
        case cudaErrorMisalignedAddress: return "cudaErrorMisalignedAddress";
        case cudaErrorLaunchFailure: return "cudaErrorLaunchFailure";
        case cudaErrorNotSupported: return "cudaErrorNotSupported";
        case cudaErrorUnknown: return "cudaErrorUnknown";
        default: return nullptr;
    }
}

const char* error_sentence(cudaError_t e) {
    switch (e) {
        case cudaSuccess: return "no error";
        case cudaErrorInvalidValue: return "invalid argument";
        case cudaErrorMemoryAllocation: return "out of memory";
        case cudaErrorInitializationError: return "initialization error";
        case cudaErrorInvalidConfiguration: return "invalid configuration argument";
        case cudaErrorInvalidDevicePointer: return "invalid device pointer";
        case cudaErrorInsufficientDriver: return "CUDA driver version is insufficient for CUDA runtime version";
        case cudaErrorInvalidDeviceFunction: return "invalid device function";
        case cudaErrorNoDevice: return "no CUDA-capable device is detected";
        case cudaErrorInvalidDevice: return "invalid device ordinal";
        case cudaErrorNoKernelImageForDevice: return "no kernel image is available for execution on the device";
        case cudaErrorInvalidResourceHandle: return "invalid resource handle";
        case cudaErrorNotReady: return "device not ready";
        case cudaErrorIllegalAddress: return "an illegal memory access was encountered";
        case cudaErrorLaunchOutOfResources: return "too many resources requested for launch";
        case cudaErrorLaunchTimeout: return "the launch timed out and was terminated";
        case cudaErrorIllegalInstruction: return "an illegal instruction was encountered";
        case cudaErrorMisalignedAddress: return "misaligned address";
        case cudaErrorLaunchFailure: return "unspecified launch failure";
        case cudaErrorNotSupported: return "operation not supported";
        case cudaErrorUnknown: return "unknown error";
        default: return nullptr;
    }
}

}  // namespace

extern "C" {

cudaError_t CUDARTAPI cudaGetLastError(void) {
    const cudaError_t sticky = broken();
    const cudaError_t e = t_last_error != cudaSuccess ? t_last_error : sticky;
    t_last_error = cudaSuccess;
    return e;
}

cudaError_t CUDARTAPI cudaPeekAtLastError(void) {
    return t_last_error != cudaSuccess ? t_last_error : broken();
}

const char* CUDARTAPI cudaGetErrorName(cudaError_t error) {
    const char* n = error_name(error);
    return n != nullptr ? n : "cudaErrorUnknown";
}

const char* CUDARTAPI cudaGetErrorString(cudaError_t error) {
    const char* s = error_sentence(error);
    return device().error_text(error, s != nullptr ? s : "unrecognized error code");
}

cudaError_t CUDARTAPI cudaDriverGetVersion(int* version) {
    if (version == nullptr) {
        return result(cudaErrorInvalidValue);
    }
    *version = CUDART_VERSION;  // the emulated driver speaks the runtime's version
    return cudaSuccess;
}

cudaError_t CUDARTAPI cudaRuntimeGetVersion(int* version) {
    if (version == nullptr) {
        return result(cudaErrorInvalidValue);
    }
    *version = CUDART_VERSION;
    return cudaSuccess;
}

cudaError_t CUDARTAPI cudaGetDeviceCount(int* count) {
    if (count == nullptr) {
        return result(cudaErrorInvalidValue);
    }
    *count = 1;
    return cudaSuccess;
}

cudaError_t CUDARTAPI cudaGetDeviceProperties(struct cudaDeviceProp* prop, int dev) {
    if (prop == nullptr) {
        return result(cudaErrorInvalidValue);
    }
    if (dev != 0) {
        return result(cudaErrorInvalidDevice);
    }
    device().fill_properties(*prop);
    return cudaSuccess;
}

cudaError_t CUDARTAPI cudaSetDevice(int dev) {
    return result(dev == 0 ? cudaSuccess : cudaErrorInvalidDevice);
}

cudaError_t CUDARTAPI cudaGetDevice(int* dev) {
    if (dev == nullptr) {
        return result(cudaErrorInvalidValue);
    }
    *dev = 0;
    return cudaSuccess;
}

cudaError_t CUDARTAPI cudaDeviceReset(void) {
    device().reset();
    t_last_error = cudaSuccess;
    return cudaSuccess;
}

int64_t attn4j_emu_device_synchronizations(void) {
    return g_device_syncs.load();
}

cudaError_t CUDARTAPI cudaDeviceSynchronize(void) {
    ++g_device_syncs;
    device().synchronize();
    return result(broken());
}

cudaError_t CUDARTAPI cudaMemGetInfo(size_t* free, size_t* total) {
    if (free == nullptr || total == nullptr) {
        return result(cudaErrorInvalidValue);
    }
    if (const cudaError_t e = broken()) {
        return result(e);
    }
    const auto& m = device().memory();
    *total = m.capacity();
    *free = m.capacity() - m.used();
    return cudaSuccess;
}

cudaError_t CUDARTAPI cudaMalloc(void** ptr, size_t size) {
    if (ptr == nullptr) {
        return result(cudaErrorInvalidValue);
    }
    *ptr = nullptr;
    if (const cudaError_t e = broken()) {
        return result(e);
    }
    void* p = device().memory().allocate(size, false);
    if (p == nullptr) {
        return result(cudaErrorMemoryAllocation);
    }
    *ptr = p;
    return cudaSuccess;
}

cudaError_t CUDARTAPI cudaFree(void* ptr) {
    if (ptr == nullptr) {
        return cudaSuccess;
    }
    Device& d = device();
    ++g_device_syncs;
    d.synchronize();  // cudaFree waits for the device
    if (const cudaError_t e = broken()) {
        return result(e);
    }
    return result(d.memory().release(ptr) ? cudaSuccess : cudaErrorInvalidValue);
}

cudaError_t CUDARTAPI cudaMallocAsync(void** ptr, size_t size, cudaStream_t stream) {
    if (ptr == nullptr) {
        return result(cudaErrorInvalidValue);
    }
    *ptr = nullptr;
    if (const cudaError_t e = broken()) {
        return result(e);
    }
    if (!device().resolve(stream)) {
        return result(cudaErrorInvalidResourceHandle);
    }
    void* p = device().memory().allocate(size, true);
    if (p == nullptr) {
        return result(cudaErrorMemoryAllocation);
    }
    *ptr = p;
    return cudaSuccess;
}

cudaError_t CUDARTAPI cudaFreeAsync(void* ptr, cudaStream_t stream) {
    if (const cudaError_t e = broken()) {
        return result(e);
    }
    Device& d = device();
    auto s = d.resolve(stream);
    if (!s) {
        return result(cudaErrorInvalidResourceHandle);
    }
    if (ptr == nullptr || !d.memory().is_live_base(ptr)) {
        return result(cudaErrorInvalidValue);
    }
    // The block stays usable by work queued before the free on this stream, and dies when the stream gets here.
    d.enqueue(s, [ptr] { device().memory().release(ptr); });
    return cudaSuccess;
}

cudaError_t CUDARTAPI cudaMemcpy(void* dst, const void* src, size_t count, enum cudaMemcpyKind kind) {
    if (const cudaError_t e = broken()) {
        return result(e);
    }
    Device& d = device();
    auto legacy = d.resolve(nullptr);
    const cudaError_t e = queue_copy(dst, src, count, kind, legacy, true);
    if (e == cudaSuccess && kind == cudaMemcpyDeviceToDevice) {
        return cudaSuccess;
    }
    return result(e != cudaSuccess ? e : broken());
}

cudaError_t CUDARTAPI cudaMemcpyAsync(void* dst, const void* src, size_t count, enum cudaMemcpyKind kind,
                                      cudaStream_t stream) {
    if (const cudaError_t e = broken()) {
        return result(e);
    }
    auto s = device().resolve(stream);
    if (!s) {
        return result(cudaErrorInvalidResourceHandle);
    }
    const cudaError_t e = queue_copy(dst, src, count, kind, s, false);
    return result(e != cudaSuccess ? e : broken());
}

cudaError_t CUDARTAPI cudaMemset(void* ptr, int value, size_t count) {
    return cudaMemsetAsync(ptr, value, count, nullptr);
}

cudaError_t CUDARTAPI cudaMemsetAsync(void* ptr, int value, size_t count, cudaStream_t stream) {
    if (const cudaError_t e = broken()) {
        return result(e);
    }
    Device& d = device();
    auto s = d.resolve(stream);
    if (!s) {
        return result(cudaErrorInvalidResourceHandle);
    }
    if (count == 0) {
        return cudaSuccess;
    }
    if (ptr == nullptr || !is_device(ptr, count)) {
        return result(cudaErrorInvalidValue);
    }
    d.enqueue(s, [ptr, value, count] { std::memset(ptr, value, count); });
    return cudaSuccess;
}

cudaError_t CUDARTAPI cudaStreamCreate(cudaStream_t* stream) {
    return cudaStreamCreateWithFlags(stream, cudaStreamDefault);
}

cudaError_t CUDARTAPI cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned int flags) {
    if (stream == nullptr || (flags & ~cudaStreamNonBlocking) != 0) {
        return result(cudaErrorInvalidValue);
    }
    if (const cudaError_t e = broken()) {
        return result(e);
    }
    *stream = device().create_stream((flags & cudaStreamNonBlocking) == 0);
    return cudaSuccess;
}

cudaError_t CUDARTAPI cudaStreamDestroy(cudaStream_t stream) {
    if (stream == nullptr || stream == cudaStreamLegacy || stream == cudaStreamPerThread) {
        return result(cudaErrorInvalidResourceHandle);
    }
    return result(device().destroy_stream(stream) ? cudaSuccess : cudaErrorInvalidResourceHandle);
}

cudaError_t CUDARTAPI cudaStreamSynchronize(cudaStream_t stream) {
    auto s = device().resolve(stream);
    if (!s) {
        return result(cudaErrorInvalidResourceHandle);
    }
    s->drain();
    return result(broken());
}

cudaError_t CUDARTAPI cudaStreamQuery(cudaStream_t stream) {
    auto s = device().resolve(stream);
    if (!s) {
        return result(cudaErrorInvalidResourceHandle);
    }
    if (const cudaError_t e = broken()) {
        return result(e);
    }
    return s->completed(s->tail()) ? cudaSuccess : cudaErrorNotReady;
}

cudaError_t CUDARTAPI cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int flags) {
    Device& d = device();
    auto s = d.resolve(stream);
    auto e = d.find_event(event);
    if (!s || !e) {
        return result(cudaErrorInvalidResourceHandle);
    }
    if (flags != 0) {
        return result(cudaErrorInvalidValue);
    }
    std::vector<Dependency> deps;
    {
        std::lock_guard<std::mutex> lock(e->mutex);
        if (e->stream) {
            deps.push_back(Dependency{e->stream, e->seq});
        }
    }
    d.enqueue(s, [] {}, std::move(deps));
    return result(broken());
}

cudaError_t CUDARTAPI cudaEventCreate(cudaEvent_t* event) {
    return cudaEventCreateWithFlags(event, cudaEventDefault);
}

cudaError_t CUDARTAPI cudaEventCreateWithFlags(cudaEvent_t* event, unsigned int flags) {
    if (event == nullptr || (flags & ~(cudaEventBlockingSync | cudaEventDisableTiming)) != 0) {
        return result(cudaErrorInvalidValue);
    }
    if (const cudaError_t e = broken()) {
        return result(e);
    }
    *event = device().create_event((flags & cudaEventDisableTiming) == 0);
    return cudaSuccess;
}

cudaError_t CUDARTAPI cudaEventDestroy(cudaEvent_t event) {
    return result(device().destroy_event(event) ? cudaSuccess : cudaErrorInvalidResourceHandle);
}

cudaError_t CUDARTAPI cudaEventRecord(cudaEvent_t event, cudaStream_t stream) {
    Device& d = device();
    auto s = d.resolve(stream);
    auto e = d.find_event(event);
    if (!s || !e) {
        return result(cudaErrorInvalidResourceHandle);
    }
    if (const cudaError_t err = broken()) {
        return result(err);
    }
    std::lock_guard<std::mutex> lock(e->mutex);
    e->has_time = false;
    e->stream = s;
    e->seq = d.enqueue(s, [e] {
        std::lock_guard<std::mutex> inner(e->mutex);
        e->at = std::chrono::steady_clock::now();
        e->has_time = true;
    });
    return cudaSuccess;
}

cudaError_t CUDARTAPI cudaEventQuery(cudaEvent_t event) {
    auto e = device().find_event(event);
    if (!e) {
        return result(cudaErrorInvalidResourceHandle);
    }
    std::lock_guard<std::mutex> lock(e->mutex);
    return !e->stream || e->stream->completed(e->seq) ? cudaSuccess : cudaErrorNotReady;
}

cudaError_t CUDARTAPI cudaEventSynchronize(cudaEvent_t event) {
    auto e = device().find_event(event);
    if (!e) {
        return result(cudaErrorInvalidResourceHandle);
    }
    std::shared_ptr<Stream> s;
    uint64_t seq;
    {
        std::lock_guard<std::mutex> lock(e->mutex);
        s = e->stream;
        seq = e->seq;
    }
    if (s) {
        s->wait(seq);
    }
    return result(broken());
}

cudaError_t CUDARTAPI cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
    Device& d = device();
    auto a = d.find_event(start);
    auto b = d.find_event(end);
    if (ms == nullptr) {
        return result(cudaErrorInvalidValue);
    }
    if (!a || !b) {
        return result(cudaErrorInvalidResourceHandle);
    }
    std::scoped_lock lock(a->mutex, b->mutex);
    if (!a->stream || !b->stream || !a->timing || !b->timing) {
        return result(cudaErrorInvalidResourceHandle);
    }
    if (!a->has_time || !b->has_time) {
        return result(cudaErrorNotReady);
    }
    *ms = std::chrono::duration<float, std::milli>(b->at - a->at).count();
    return cudaSuccess;
}

cudaError_t CUDARTAPI cudaFuncSetAttribute(const void* func, enum cudaFuncAttribute attr, int value) {
    if (func == nullptr) {
        return result(cudaErrorInvalidDeviceFunction);
    }
    if (attr == cudaFuncAttributeMaxDynamicSharedMemorySize) {
        if (value < 0 || static_cast<size_t>(value) > attn4j::kEmuMaxSharedBytes) {
            return result(cudaErrorInvalidValue);
        }
        device().set_max_dynamic_shared(func, value);
        return cudaSuccess;
    }
    return result(attr == cudaFuncAttributePreferredSharedMemoryCarveout ? cudaSuccess : cudaErrorInvalidValue);
}

cudaError_t CUDARTAPI cudaLaunchKernel(const void*, dim3, dim3, void**, size_t, cudaStream_t) {
    // Emulated kernels are launched through attn4j::emu::launch, which knows their parameter types.
    return result(cudaErrorInvalidDeviceFunction);
}

}  // extern "C"

namespace attn4j {
namespace emu {

/** Validates and queues a kernel launch (the emulator's cudaLaunchKernel, see launch_emu.hpp). */
cudaError_t queue_launch(const char* name, const void* function, void (*invoke)(const unsigned char*),
                         const unsigned char* params, size_t param_bytes, dim3 grid, dim3 block, size_t shared_bytes,
                         cudaStream_t stream) {
    if (const cudaError_t e = broken()) {
        return result(e);
    }
    auto launch = std::make_shared<GridLaunch>();
    launch->name = name;
    launch->function = function;
    launch->invoke = invoke;
    launch->params.assign(params, params + param_bytes);
    launch->grid = grid;
    launch->block = block;
    launch->shared_bytes = shared_bytes;
    Device& d = device();
    auto s = d.resolve(stream);
    if (!s) {
        return result(cudaErrorInvalidResourceHandle);
    }
    const dim3& g = launch->grid;
    const dim3& b = launch->block;
    const unsigned long long threads = static_cast<unsigned long long>(b.x) * b.y * b.z;
    if (g.x == 0 || g.y == 0 || g.z == 0 || g.x > 2147483647u || g.y > 65535 || g.z > 65535 || threads == 0 ||
        threads > 1024 || b.x > 1024 || b.y > 1024 || b.z > 64) {
        return result(cudaErrorInvalidConfiguration);
    }
    if (launch->shared_bytes > static_cast<size_t>(d.max_dynamic_shared(launch->function))) {
        // As on a GPU: above 48 KiB a kernel must opt in with cudaFuncSetAttribute first.
        return result(cudaErrorInvalidValue);
    }
    d.enqueue(s, [launch] { device().run_grid(*launch); });
    return cudaSuccess;
}

}  // namespace emu
}  // namespace attn4j
