#include "device.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace attn4j {
namespace emu {

namespace {

long env_long(const char* name, long fallback) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') {
        return fallback;
    }
    char* end = nullptr;
    const long x = std::strtol(v, &end, 10);
    return end != nullptr && *end == '\0' && x >= 0 ? x : fallback;
}

/** A handle value no real pointer has: created streams and events are numbered, not addresses. */
template <typename Handle>
Handle numbered(uint64_t n) {
    return reinterpret_cast<Handle>(static_cast<uintptr_t>(0x7e0000000000ull + 16 * n));
}

uint64_t g_next_handle = 1;

}  // namespace

DeviceConfig DeviceConfig::from_environment() {
    DeviceConfig c;
    const long cores = static_cast<long>(std::max(1u, std::thread::hardware_concurrency()));
    c.inline_mode = env_long("ATTN4J_EMU_SYNC", 0) == 1;
    c.threads = c.inline_mode ? 1 : static_cast<int>(std::clamp(env_long("ATTN4J_EMU_THREADS", std::min(cores, 8L)), 1L, 64L));
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page = sysconf(_SC_PAGESIZE);
    const size_t host = pages > 0 && page > 0 ? static_cast<size_t>(pages) * static_cast<size_t>(page) : (8ull << 30);
    const size_t fallback_mb = std::min<size_t>(host / 2, 16ull << 30) >> 20;
    c.memory_bytes = static_cast<size_t>(env_long("ATTN4J_EMU_MEMORY_MB", static_cast<long>(fallback_mb))) << 20;
    c.legacy_delay = std::chrono::milliseconds(env_long("ATTN4J_EMU_LEGACY_DELAY_MS", 200));
    c.quiet = env_long("ATTN4J_EMU_QUIET", 0) == 1;
    return c;
}

Device::Device(const DeviceConfig& config)
    : config_(config), memory_(config.memory_bytes), grid_(config.threads) {
    legacy_ = std::make_shared<Stream>(Stream::Kind::Legacy, config_.legacy_delay, config_.inline_mode);
}

Device& device() {
    static Device* d = new Device(DeviceConfig::from_environment());
    return *d;
}

void Device::fill_properties(cudaDeviceProp& p) const {
    std::memset(&p, 0, sizeof p);
    std::snprintf(p.name, sizeof p.name, "attn4j emulated GPU (sm_90, H100/H200 limits; runs on the CPU)");
    p.totalGlobalMem = memory_.capacity();
    p.sharedMemPerBlock = 48 * 1024;
    p.sharedMemPerBlockOptin = kEmuMaxSharedBytes;
    p.sharedMemPerMultiprocessor = 228 * 1024;
    p.reservedSharedMemPerBlock = 1024;
    p.regsPerBlock = 65536;
    p.regsPerMultiprocessor = 65536;
    p.warpSize = 32;
    p.maxThreadsPerBlock = 1024;
    p.maxThreadsDim[0] = 1024;
    p.maxThreadsDim[1] = 1024;
    p.maxThreadsDim[2] = 64;
    p.maxGridSize[0] = 2147483647;
    p.maxGridSize[1] = 65535;
    p.maxGridSize[2] = 65535;
    p.totalConstMem = 65536;
    p.major = 9;
    p.minor = 0;
    p.multiProcessorCount = 132;
    p.maxThreadsPerMultiProcessor = 2048;
    p.maxBlocksPerMultiProcessor = 32;
    p.concurrentKernels = 1;
    p.asyncEngineCount = 2;
    p.unifiedAddressing = 1;
    p.memoryPoolsSupported = 1;
    p.memoryBusWidth = 6144;
    p.streamPrioritiesSupported = 1;
}

cudaError_t Device::sticky() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return sticky_;
}

std::string Device::sticky_message() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return sticky_message_;
}

const char* Device::error_text(cudaError_t code, const char* standard) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (code != cudaSuccess && code == sticky_ && !sticky_message_.empty()) {
        if (!text_current_) {
            texts_.push_back(std::string(standard) + " [emulated device: " + sticky_message_ + "]");
            text_current_ = true;
        }
        return texts_.back().c_str();
    }
    return standard;
}

void Device::reset() {
    synchronize();
    std::lock_guard<std::mutex> lock(mutex_);
    memory_.release_all();
    events_.clear();
    max_shared_.clear();
    sticky_ = cudaSuccess;
    sticky_message_.clear();
    text_current_ = false;
}

std::shared_ptr<Stream> Device::make_stream(Stream::Kind kind) {
    return std::make_shared<Stream>(kind, config_.legacy_delay, config_.inline_mode);
}

/** The calling host thread's default stream: created on first use, drained and dropped when the thread ends. */
struct PerThreadStreamHolder {
    std::shared_ptr<Stream> stream;
    ~PerThreadStreamHolder() {
        if (stream) {
            stream->drain();
            Device& d = device();
            std::lock_guard<std::mutex> lock(d.mutex_);
            auto& b = d.blocking_;
            b.erase(std::remove_if(b.begin(), b.end(),
                                   [&](const std::weak_ptr<Stream>& w) {
                                       auto s = w.lock();
                                       return !s || s == stream;
                                   }),
                    b.end());
        }
    }
};

namespace {
thread_local PerThreadStreamHolder t_stream;
}

std::shared_ptr<Stream> Device::per_thread_stream() {
    if (!t_stream.stream) {
        t_stream.stream = make_stream(Stream::Kind::Blocking);
        std::lock_guard<std::mutex> lock(mutex_);
        blocking_.push_back(t_stream.stream);
    }
    return t_stream.stream;
}

std::shared_ptr<Stream> Device::resolve(cudaStream_t handle) {
    if (handle == nullptr || handle == cudaStreamLegacy) {
        return legacy_;
    }
    if (handle == cudaStreamPerThread) {
        return per_thread_stream();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = streams_.find(handle);
    return it == streams_.end() ? nullptr : it->second;
}

cudaStream_t Device::create_stream(bool blocking) {
    auto s = make_stream(blocking ? Stream::Kind::Blocking : Stream::Kind::NonBlocking);
    std::lock_guard<std::mutex> lock(mutex_);
    cudaStream_t h = numbered<cudaStream_t>(g_next_handle++);
    streams_[h] = s;
    if (blocking) {
        blocking_.push_back(s);
    }
    return h;
}

bool Device::destroy_stream(cudaStream_t handle) {
    std::shared_ptr<Stream> s;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = streams_.find(handle);
        if (it == streams_.end()) {
            return false;
        }
        s = it->second;
        streams_.erase(it);
    }
    // CUDA: work already queued still runs; the stream's resources go when it is done. The worker drains the queue
    // when the last reference (this one, or a dependency of other work) goes away.
    return true;
}

uint64_t Device::enqueue(const std::shared_ptr<Stream>& stream, std::function<void()> work,
                         std::vector<Dependency> extra) {
    if (stream->kind() == Stream::Kind::Legacy) {
        std::vector<std::shared_ptr<Stream>> blocking;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            for (auto& w : blocking_) {
                if (auto s = w.lock()) {
                    blocking.push_back(s);
                }
            }
        }
        for (auto& s : blocking) {
            const uint64_t t = s->tail();
            if (t > 0 && !s->completed(t)) {
                extra.push_back(Dependency{s, t});
            }
        }
    } else if (stream->kind() == Stream::Kind::Blocking) {
        const uint64_t t = legacy_->tail();
        if (t > 0 && !legacy_->completed(t)) {
            extra.push_back(Dependency{legacy_, t});
        }
    }
    return stream->enqueue(std::move(work), std::move(extra));
}

void Device::synchronize() {
    std::vector<std::shared_ptr<Stream>> all;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        all.push_back(legacy_);
        for (auto& [h, s] : streams_) {
            all.push_back(s);
        }
        for (auto& w : blocking_) {
            if (auto s = w.lock()) {
                all.push_back(s);
            }
        }
    }
    for (auto& s : all) {
        s->drain();
    }
}

cudaEvent_t Device::create_event(bool timing) {
    auto e = std::make_shared<Event>();
    e->timing = timing;
    std::lock_guard<std::mutex> lock(mutex_);
    cudaEvent_t h = numbered<cudaEvent_t>(g_next_handle++);
    events_[h] = e;
    return h;
}

std::shared_ptr<Event> Device::find_event(cudaEvent_t handle) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = events_.find(handle);
    return it == events_.end() ? nullptr : it->second;
}

bool Device::destroy_event(cudaEvent_t handle) {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_.erase(handle) != 0;
}

void Device::set_max_dynamic_shared(const void* function, int bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    max_shared_[function] = bytes;
}

int Device::max_dynamic_shared(const void* function) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = max_shared_.find(function);
    return it == max_shared_.end() ? 48 * 1024 : it->second;
}

void Device::run_grid(const GridLaunch& launch) {
    if (sticky() != cudaSuccess) {
        return;  // the context is broken: nothing runs any more
    }
    const Fault f = grid_.run(launch);
    if (f.code == cudaSuccess) {
        return;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (sticky_ == cudaSuccess) {
            sticky_ = f.code;
            sticky_message_ = f.message;
            text_current_ = false;
        }
    }
    if (!config_.quiet) {
        std::fprintf(stderr, "attn4j emulator: %s: %s\n", cudaGetErrorName(f.code), f.message.c_str());
    }
}

}  // namespace emu
}  // namespace attn4j
