#include "grid.hpp"

#include <atomic>

namespace attn4j {
namespace emu {

struct GridRunner::Job {
    const GridLaunch* launch = nullptr;
    long total = 0;
    std::atomic<long> next{0};
    std::atomic<bool> faulted{false};
    std::mutex fault_mutex;
    Fault fault;
    int active = 0;  // helpers inside work(), guarded by the runner's mutex
};

namespace {
thread_local std::unique_ptr<CtaRunner> t_runner;

CtaRunner& runner() {
    if (!t_runner) {
        t_runner = std::make_unique<CtaRunner>();
    }
    return *t_runner;
}
}  // namespace

GridRunner::GridRunner(int threads) {
    for (int i = 1; i < threads; ++i) {
        helpers_.emplace_back([this] { helper_loop(); });
    }
}

GridRunner::~GridRunner() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : helpers_) {
        t.join();
    }
}

void GridRunner::work(Job& job) {
    const GridLaunch& l = *job.launch;
    for (long i = job.next.fetch_add(1); i < job.total && !job.faulted.load(); i = job.next.fetch_add(1)) {
        const auto x = static_cast<unsigned>(i % l.grid.x);
        const auto y = static_cast<unsigned>(i / l.grid.x % l.grid.y);
        const auto z = static_cast<unsigned>(i / (static_cast<long>(l.grid.x) * l.grid.y));
        Fault f;
        if (!runner().run(l, uint3{x, y, z}, f)) {
            std::lock_guard<std::mutex> lock(job.fault_mutex);
            if (!job.faulted.exchange(true)) {
                job.fault = f;
            }
        }
    }
}

void GridRunner::helper_loop() {
    long seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
        wake_.wait(lock, [&] { return stopping_ || (job_ != nullptr && job_serial_ != seen); });
        if (stopping_) {
            return;
        }
        seen = job_serial_;
        Job* job = job_;
        ++job->active;
        lock.unlock();
        work(*job);
        lock.lock();
        if (--job->active == 0) {
            done_.notify_all();
        }
    }
}

Fault GridRunner::run(const GridLaunch& launch) {
    std::lock_guard<std::mutex> serial(run_mutex_);
    Job job;
    job.launch = &launch;
    job.total = static_cast<long>(launch.grid.x) * launch.grid.y * launch.grid.z;
    if (!helpers_.empty() && job.total > 1) {
        std::lock_guard<std::mutex> lock(mutex_);
        job_ = &job;
        ++job_serial_;
    }
    wake_.notify_all();
    work(job);
    {
        std::unique_lock<std::mutex> lock(mutex_);
        job_ = nullptr;  // helpers that have not joined yet will not
        done_.wait(lock, [&] { return job.active == 0; });
    }
    return job.fault;
}

}  // namespace emu
}  // namespace attn4j
