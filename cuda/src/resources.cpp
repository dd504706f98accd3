#include "resources.hpp"

#include <atomic>

namespace attn4j {

namespace {
/** Keys of the per-thread default streams in use marks: negative, one per host thread, never reused. */
std::atomic<int64_t> g_next_thread_key{-1};
thread_local const int64_t t_default_stream_key = g_next_thread_key.fetch_sub(1);
}  // namespace

std::shared_ptr<UseMark> UseMark::record(cudaStream_t stream, cudaError_t& e) {
    cudaEvent_t ev = nullptr;
    e = cudaEventCreateWithFlags(&ev, cudaEventDisableTiming);
    if (e != cudaSuccess) {
        return nullptr;
    }
    auto mark = std::make_shared<UseMark>(ev);
    e = cudaEventRecord(ev, stream);
    return e == cudaSuccess ? mark : nullptr;
}

UseMark::~UseMark() {
    // Legal while the event is pending: CUDA releases it when it completes. A stream that waits on it already
    // captured what it waits for.
    cudaEventDestroy(event_);
}

cudaError_t free_after_uses(void* memory, const LastUses& uses) {
    cudaError_t first = cudaSuccess;
    for (const auto& [key, mark] : uses) {
        const cudaError_t e = cudaStreamWaitEvent(cudaStreamPerThread, mark->event(), 0);
        first = first == cudaSuccess ? e : first;
    }
    const cudaError_t e = cudaFreeAsync(memory, cudaStreamPerThread);
    return first == cudaSuccess ? e : first;
}

Allocation::~Allocation() {
    if (memory != nullptr) {
        cudaSetDevice(device);
        free_after_uses(memory, uses);  // nobody is left to tell of a failure: the context is then broken anyway
    }
}

DevicePlan::~DevicePlan() {
    if (buffer != nullptr) {
        cudaSetDevice(summary.device);
        free_after_uses(buffer, uses);
    }
}

DeviceKvCache::~DeviceKvCache() {
    cudaSetDevice(device);
    for (void* p : {k, v, static_cast<void*>(block_sums), static_cast<void*>(device_lengths)}) {
        if (p != nullptr) {
            free_after_uses(p, uses);
        }
    }
}

StreamObject::~StreamObject() {
    if (stream != nullptr) {
        cudaSetDevice(device);
        cudaStreamDestroy(stream);  // work already queued still runs
    }
}

EventObject::~EventObject() {
    if (event != nullptr) {
        cudaSetDevice(device);
        cudaEventDestroy(event);
    }
}

Resources& Resources::instance() {
    static Resources* r = new Resources();  // never destroyed: handles may be released during static teardown
    return *r;
}

void Resources::add_allocation(const std::shared_ptr<Allocation>& a) {
    std::lock_guard<std::mutex> lock(mutex_);
    allocations_[reinterpret_cast<int64_t>(a->memory)] = a;
}

std::shared_ptr<Allocation> Resources::remove_allocation(int64_t ptr) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = allocations_.find(ptr);
    if (it == allocations_.end()) {
        return nullptr;
    }
    auto a = it->second;
    allocations_.erase(it);
    return a;
}

std::shared_ptr<Allocation> Resources::find_allocation(int64_t ptr, int64_t bytes) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = allocations_.upper_bound(ptr);
    if (it == allocations_.begin()) {
        return nullptr;
    }
    --it;
    const int64_t base = it->first;
    const int64_t size = it->second->bytes;
    if (bytes < 0 || ptr < base || ptr - base > size || bytes > size - (ptr - base)) {
        return nullptr;
    }
    return it->second;
}

int64_t Resources::add_stream(const std::shared_ptr<StreamObject>& s) {
    std::lock_guard<std::mutex> lock(mutex_);
    const int64_t id = next_id_++;
    streams_[id] = s;
    return id;
}

std::shared_ptr<StreamObject> Resources::find_stream(int64_t id) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = streams_.find(id);
    return it == streams_.end() ? nullptr : it->second;
}

bool Resources::remove_stream(int64_t id) {
    std::shared_ptr<StreamObject> dropped;  // destroyed outside the lock
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = streams_.find(id);
    if (it == streams_.end()) {
        return false;
    }
    dropped = it->second;
    streams_.erase(it);
    return true;
}

bool Resources::resolve_stream(int64_t handle, StreamRef& out) const {
    if (handle == 0) {
        out.stream = cudaStreamPerThread;
        out.key = t_default_stream_key;
        out.holder = nullptr;
        return true;
    }
    auto s = find_stream(handle);
    if (!s) {
        return false;
    }
    out.stream = s->stream;
    out.key = handle;
    out.holder = s;
    return true;
}

int64_t Resources::add_event(const std::shared_ptr<EventObject>& e) {
    std::lock_guard<std::mutex> lock(mutex_);
    const int64_t id = next_id_++;
    events_[id] = e;
    return id;
}

std::shared_ptr<EventObject> Resources::find_event(int64_t id) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = events_.find(id);
    return it == events_.end() ? nullptr : it->second;
}

bool Resources::remove_event(int64_t id) {
    std::shared_ptr<EventObject> dropped;
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = events_.find(id);
    if (it == events_.end()) {
        return false;
    }
    dropped = it->second;
    events_.erase(it);
    return true;
}

int64_t Resources::add_cache(const std::shared_ptr<DeviceKvCache>& c) {
    std::lock_guard<std::mutex> lock(mutex_);
    const int64_t id = next_id_++;
    caches_[id] = c;
    return id;
}

std::shared_ptr<DeviceKvCache> Resources::find_cache(int64_t id) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = caches_.find(id);
    return it == caches_.end() ? nullptr : it->second;
}

std::shared_ptr<DeviceKvCache> Resources::remove_cache(int64_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = caches_.find(id);
    if (it == caches_.end()) {
        return nullptr;
    }
    auto c = it->second;
    caches_.erase(it);
    return c;
}

void Resources::note_cache_use(const StreamRef& stream, const std::shared_ptr<UseMark>& mark, DeviceKvCache& cache) {
    std::lock_guard<std::mutex> lock(mutex_);
    cache.uses[stream.key] = mark;
}

int64_t Resources::add_plan(const std::shared_ptr<DevicePlan>& p) {
    std::lock_guard<std::mutex> lock(mutex_);
    const int64_t id = next_id_++;
    plans_[id] = p;
    return id;
}

std::shared_ptr<DevicePlan> Resources::find_plan(int64_t id) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = plans_.find(id);
    return it == plans_.end() ? nullptr : it->second;
}

std::shared_ptr<DevicePlan> Resources::remove_plan(int64_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = plans_.find(id);
    if (it == plans_.end()) {
        return nullptr;
    }
    auto p = it->second;
    plans_.erase(it);
    return p;
}

void Resources::note_use(const StreamRef& stream, const std::shared_ptr<UseMark>& mark,
                         const std::vector<std::shared_ptr<Allocation>>& memory, DevicePlan* plan) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& a : memory) {
        if (a) {
            a->uses[stream.key] = mark;
        }
    }
    if (plan != nullptr) {
        plan->uses[stream.key] = mark;
    }
}

}  // namespace attn4j
