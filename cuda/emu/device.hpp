// The emulated GPU: one sm_90 device with H100/H200 limits, its memory, streams, events, kernel attributes and the
// sticky error a faulting kernel leaves behind (as on a GPU, every later call reports it until cudaDeviceReset).
// Configured from the environment:
//   ATTN4J_EMU_THREADS         host threads running CTAs (default: the cores, at most 8)
//   ATTN4J_EMU_MEMORY_MB       device memory (default: half the host's memory, at most 16 GiB)
//   ATTN4J_EMU_LEGACY_DELAY_MS how long legacy-stream work may wait when nobody asks for it (default 200)
//   ATTN4J_EMU_SYNC=1          run every call to completion on the calling thread, one CTA at a time (debugging)
//   ATTN4J_EMU_QUIET=1         do not print fault reports on stderr
#pragma once

#include <cuda_runtime.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "cta.hpp"
#include "device_memory.hpp"
#include "grid.hpp"
#include "streams.hpp"

namespace attn4j {
namespace emu {

struct DeviceConfig {
    int threads = 1;
    size_t memory_bytes = 0;
    std::chrono::milliseconds legacy_delay{200};
    bool inline_mode = false;
    bool quiet = false;

    static DeviceConfig from_environment();
};

class Device {
public:
    explicit Device(const DeviceConfig& config);

    const DeviceConfig& config() const { return config_; }
    DeviceMemory& memory() { return memory_; }
    void fill_properties(cudaDeviceProp& prop) const;

    // The sticky error of a faulted kernel (cudaSuccess when none).
    cudaError_t sticky() const;
    std::string sticky_message() const;
    /** The text cudaGetErrorString returns for code: the standard sentence, plus the fault report if it is the
     *  sticky error. Valid until the next reset. */
    const char* error_text(cudaError_t code, const char* standard);
    void reset();

    // Streams. resolve() maps a handle (0, cudaStreamLegacy, cudaStreamPerThread or a created stream) to its stream.
    std::shared_ptr<Stream> resolve(cudaStream_t handle);
    cudaStream_t create_stream(bool blocking);
    bool destroy_stream(cudaStream_t handle);
    /** Queues work on stream after what CUDA's default-stream rules order it after. */
    uint64_t enqueue(const std::shared_ptr<Stream>& stream, std::function<void()> work,
                     std::vector<Dependency> extra = {});
    void synchronize();

    // Events.
    cudaEvent_t create_event(bool timing);
    std::shared_ptr<Event> find_event(cudaEvent_t handle);
    bool destroy_event(cudaEvent_t handle);

    // Kernels.
    void set_max_dynamic_shared(const void* function, int bytes);
    int max_dynamic_shared(const void* function) const;
    /** Runs a grid (on the stream's thread); a fault becomes the sticky error. */
    void run_grid(const GridLaunch& launch);

private:
    std::shared_ptr<Stream> per_thread_stream();
    std::shared_ptr<Stream> make_stream(Stream::Kind kind);

    DeviceConfig config_;
    DeviceMemory memory_;
    GridRunner grid_;
    mutable std::mutex mutex_;
    cudaError_t sticky_ = cudaSuccess;
    std::string sticky_message_;
    std::deque<std::string> texts_;  // every text cudaGetErrorString handed out stays valid
    bool text_current_ = false;
    std::shared_ptr<Stream> legacy_;
    std::map<cudaStream_t, std::shared_ptr<Stream>> streams_;
    std::vector<std::weak_ptr<Stream>> blocking_;
    std::map<cudaEvent_t, std::shared_ptr<Event>> events_;
    std::unordered_map<const void*, int> max_shared_;
    friend struct PerThreadStreamHolder;
};

/** The process's emulated device (created on first use, never destroyed: streams' threads outlive static teardown). */
Device& device();

}  // namespace emu
}  // namespace attn4j
