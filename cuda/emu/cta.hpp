// One CTA of an emulated kernel: its GPU threads as fibers on one host thread, the block barrier, the warps'
// collective exchanges, per-thread cp.async groups, and the detection of what would hang or corrupt a real GPU (a
// barrier not every thread reaches, threads at different barriers, a warp whose lanes disagree on the collective,
// an access outside shared memory or outside every allocation). A fault stops the CTA and is reported with the
// kernel, block and thread.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fiber.hpp"
#include "fragments_ptx.hpp"
#include "racecheck.hpp"

namespace attn4j {

/** The dynamic shared memory every kernel declares as `extern __shared__ unsigned char smem_raw[]`: one per host
 *  thread, and a host thread runs one CTA at a time. */
constexpr size_t kEmuMaxSharedBytes = 232448;  // 227 KiB: the opt-in limit per block of sm_90 (H100/H200)
extern thread_local unsigned char smem_raw[];

namespace emu {

/** A kernel launch as the emulator runs it: the kernel's parameters as bytes and the function that unpacks them. */
struct GridLaunch {
    std::string name;
    const void* function = nullptr;
    void (*invoke)(const unsigned char* params) = nullptr;
    std::vector<unsigned char> params;
    dim3 grid;
    dim3 block;
    size_t shared_bytes = 0;
};

/** What stopped a kernel. */
struct Fault {
    cudaError_t code = cudaSuccess;
    std::string message;
};

class CtaRunner;

enum class ThreadStatus { Ready, AtBarrier, AtWarp, Exited, Faulted };

/** One 16-byte cp.async: the bytes were read at issue, they land at the wait that completes their group. */
struct PendingCopy {
    void* dst;
    unsigned char bytes[16];
};

struct GpuThread {
    Context context;
    uint3 index{0, 0, 0};
    int linear = 0;
    ThreadStatus status = ThreadStatus::Ready;
    std::vector<PendingCopy> copies;   // issued and not landed, oldest first
    std::vector<int> group_sizes;      // committed groups, oldest first; the rest of copies is uncommitted
    CtaRunner* cta = nullptr;
};

enum class WarpOp { None, All, ShflXor, Ldmatrix, LdmatrixTrans, MmaF16, MmaBF16 };

/** The rendezvous of one warp's lanes at a collective: inputs per lane, outputs once the last lane arrives. */
struct WarpExchange {
    WarpOp op = WarpOp::None;
    uint32_t mask = 0;
    uint32_t arrived = 0;
    int predicate[32];
    int all_result = 0;
    uint64_t shfl_in[32];
    int shfl_lane_mask[32];
    int shfl_width[32];
    uint64_t shfl_out[32];
    uint32_t rows[32][4];
    uint32_t regs_out[32][4];
    MmaLaneInput mma_in[32];
    float mma_out[32][4];
};

struct BlockBarrier {
    int arrived = 0;
    const char* file = nullptr;
    int line = 0;
    bool reduces_or = false;
    int accumulated = 0;
    int result = 0;
    long completed = 0;  // barriers completed so far in this CTA
};

/** Runs CTAs one after another on the calling host thread (one runner per host thread). */
class CtaRunner {
public:
    CtaRunner();
    ~CtaRunner();
    CtaRunner(const CtaRunner&) = delete;
    CtaRunner& operator=(const CtaRunner&) = delete;

    /** Runs CTA block of launch to the end; false with fault when it faulted or could not finish. */
    bool run(const GridLaunch& launch, uint3 block, Fault& fault);

    // What the running GPU thread calls (through kernel_api.hpp).
    GpuThread& current();
    const GridLaunch& launch() const { return *launch_; }
    uint3 block() const { return block_; }
    void barrier(const char* file, int line, bool reduces_or, int predicate, int& result);
    WarpExchange& warp_of(const GpuThread& t) { return warps_[t.linear / 32]; }
    /** Blocks the current thread until a collective releases it. */
    void wait(ThreadStatus why);
    /** Marks lanes of the warp of t waiting at a collective ready again. */
    void release_warp(const GpuThread& t, uint32_t mask);
    /** Records a fault of the running thread and unwinds it (the whole CTA stops). */
    [[noreturn]] void fault(cudaError_t code, const std::string& message);
    std::string where(const GpuThread& t) const;
    /** Whether [p, p + n) lies in this host thread's shared memory array, and in this CTA's window of it. */
    bool in_shared_array(uintptr_t p) const;
    size_t shared_bytes() const { return launch_->shared_bytes; }
    /** The shared-memory hazard tracker of this CTA (null when ATTN4J_EMU_RACECHECK=0). */
    SharedRaceCheck* races() { return racecheck_ ? &races_ : nullptr; }
    /** Faults the running thread if hazard is not empty. */
    void hazard(const std::string& hazard);

private:
    static void thread_entry(void* arg);
    std::string describe_hang() const;

    Context host_;
    std::vector<std::unique_ptr<FiberStack>> stacks_;
    std::vector<std::unique_ptr<GpuThread>> threads_;
    std::vector<WarpExchange> warps_;
    BlockBarrier barrier_;
    SharedRaceCheck races_;
    bool racecheck_ = true;
    const GridLaunch* launch_ = nullptr;
    uint3 block_{0, 0, 0};
    int nthreads_ = 0;
    bool faulted_ = false;
    Fault fault_;
    GpuThread* running_ = nullptr;
    char start_ = 0;  // ThreadSanitizer synchronisation objects: host before threads, threads before host
    char end_ = 0;
};

/** The runner of the calling host thread, while it runs a CTA (null otherwise). */
CtaRunner* running_cta();

/** Stack size of each GPU thread's fiber. */
size_t fiber_stack_bytes();

}  // namespace emu
}  // namespace attn4j
