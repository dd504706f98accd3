// Emulated CUDA streams and events. Each stream runs its work in order on a host thread of its own, so work on
// different streams really runs concurrently and unordered, as on a GPU. The legacy default stream is lazy on
// purpose: its work runs only when something waits for it (or after a grace period), the latest a GPU may run it,
// so a program that reads what it queued there without ordering sees garbage instead of getting lucky. Blocking
// streams (the per-thread default stream, cudaStreamCreate) wait for the legacy stream and the legacy stream for
// them, as CUDA specifies.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace attn4j {
namespace emu {

class Stream;

/** Work that may start only after op `seq` of `stream` completed. */
struct Dependency {
    std::shared_ptr<Stream> stream;
    uint64_t seq = 0;
};

class Stream {
public:
    enum class Kind { Legacy, Blocking, NonBlocking };

    /** lazy_delay: how long legacy work may wait unasked (ignored for other kinds); inline_mode: run work at enqueue. */
    Stream(Kind kind, std::chrono::milliseconds lazy_delay, bool inline_mode);
    ~Stream();
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;

    Kind kind() const { return kind_; }

    /** Queues work after deps; returns its sequence number. */
    uint64_t enqueue(std::function<void()> work, std::vector<Dependency> deps);

    /** The sequence number of the last work queued (0: none). */
    uint64_t tail() const;

    /** Whether work `seq` completed. */
    bool completed(uint64_t seq) const;

    /** Blocks the caller until work `seq` completed (asking a lazy stream to run it). */
    void wait(uint64_t seq);

    /** Waits for everything queued so far. */
    void drain() { wait(tail()); }

private:
    struct Item {
        uint64_t seq;
        std::function<void()> work;
        std::vector<Dependency> deps;
        std::chrono::steady_clock::time_point queued;
    };
    /** The state the worker thread shares: it outlives the Stream when the last reference drops on that thread. */
    struct Core {
        Kind kind;
        std::chrono::milliseconds lazy_delay;
        std::mutex mutex;
        std::condition_variable changed;
        std::deque<Item> queue;
        uint64_t next_seq = 1;
        uint64_t completed = 0;
        uint64_t demanded = 0;
        bool stopping = false;
    };
    static void loop(const std::shared_ptr<Core>& core);

    const Kind kind_;
    const bool inline_mode_;
    std::shared_ptr<Core> core_;
    std::thread worker_;
};

/** An emulated event: the stream position it was last recorded at, and when the stream got there. */
struct Event {
    std::mutex mutex;
    std::shared_ptr<Stream> stream;
    uint64_t seq = 0;
    bool has_time = false;
    std::chrono::steady_clock::time_point at;
    bool timing = true;
};

}  // namespace emu
}  // namespace attn4j
