// Runs the CTAs of one kernel launch on a few host threads (the caller and a pool), each CTA on one of them from
// start to end. Launches are run one at a time: CUDA allows kernels of different streams to overlap but never
// requires it, and these kernels never wait for one another.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "cta.hpp"

namespace attn4j {
namespace emu {

class GridRunner {
public:
    /** threads: host threads running CTAs, the caller included (>= 1). */
    explicit GridRunner(int threads);
    ~GridRunner();
    GridRunner(const GridRunner&) = delete;
    GridRunner& operator=(const GridRunner&) = delete;

    /** Runs every CTA; returns the first fault (code cudaSuccess when none). */
    Fault run(const GridLaunch& launch);

    int threads() const { return static_cast<int>(helpers_.size()) + 1; }

private:
    struct Job;
    void helper_loop();
    static void work(Job& job);

    std::mutex run_mutex_;  // one launch at a time
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;
    Job* job_ = nullptr;
    long job_serial_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> helpers_;
};

}  // namespace emu
}  // namespace attn4j
