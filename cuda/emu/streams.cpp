#include "streams.hpp"

#include <algorithm>

namespace attn4j {
namespace emu {

Stream::Stream(Kind kind, std::chrono::milliseconds lazy_delay, bool inline_mode)
    : kind_(kind), inline_mode_(inline_mode), core_(std::make_shared<Core>()) {
    core_->kind = kind;
    core_->lazy_delay = lazy_delay;
    if (!inline_mode_) {
        std::shared_ptr<Core> core = core_;
        worker_ = std::thread([core] { loop(core); });
    }
}

Stream::~Stream() {
    if (!worker_.joinable()) {
        return;
    }
    {
        std::lock_guard<std::mutex> lock(core_->mutex);
        core_->stopping = true;
    }
    core_->changed.notify_all();
    // Queued work still runs (cudaStreamDestroy's promise). The last reference may drop on the worker itself (work
    // that held it finished): then the worker finishes on its own with the state it shares.
    if (worker_.get_id() == std::this_thread::get_id()) {
        worker_.detach();
    } else {
        worker_.join();
    }
}

uint64_t Stream::enqueue(std::function<void()> work, std::vector<Dependency> deps) {
    Core& c = *core_;
    if (inline_mode_) {
        for (Dependency& d : deps) {
            d.stream->wait(d.seq);
        }
        uint64_t seq;
        {
            std::lock_guard<std::mutex> lock(c.mutex);
            seq = c.next_seq++;
        }
        work();
        {
            std::lock_guard<std::mutex> lock(c.mutex);
            c.completed = seq;
        }
        c.changed.notify_all();
        return seq;
    }
    uint64_t seq;
    {
        std::lock_guard<std::mutex> lock(c.mutex);
        seq = c.next_seq++;
        c.queue.push_back(Item{seq, std::move(work), std::move(deps), std::chrono::steady_clock::now()});
    }
    c.changed.notify_all();
    return seq;
}

uint64_t Stream::tail() const {
    std::lock_guard<std::mutex> lock(core_->mutex);
    return core_->next_seq - 1;
}

bool Stream::completed(uint64_t seq) const {
    std::lock_guard<std::mutex> lock(core_->mutex);
    return core_->completed >= seq;
}

void Stream::wait(uint64_t seq) {
    Core& c = *core_;
    std::unique_lock<std::mutex> lock(c.mutex);
    if (seq > c.demanded) {
        c.demanded = seq;
        c.changed.notify_all();
    }
    c.changed.wait(lock, [&] { return c.completed >= seq; });
}

void Stream::loop(const std::shared_ptr<Core>& core) {
    Core& c = *core;
    std::unique_lock<std::mutex> lock(c.mutex);
    while (true) {
        if (c.queue.empty()) {
            if (c.stopping) {
                return;
            }
            c.changed.wait(lock);
            continue;
        }
        Item& front = c.queue.front();
        if (c.kind == Kind::Legacy && !c.stopping && c.demanded < front.seq) {
            // Lazy: run only when asked, or when the work has waited long enough.
            const auto due = front.queued + c.lazy_delay;
            if (std::chrono::steady_clock::now() < due) {
                c.changed.wait_until(lock, due);
                continue;
            }
        }
        Item item = std::move(front);
        c.queue.pop_front();
        lock.unlock();
        const uint64_t seq = item.seq;
        for (Dependency& d : item.deps) {
            d.stream->wait(d.seq);
        }
        item.work();
        item = Item{};  // drop what the work held before reporting it done
        lock.lock();
        c.completed = std::max(c.completed, seq);
        c.changed.notify_all();
    }
}

}  // namespace emu
}  // namespace attn4j
