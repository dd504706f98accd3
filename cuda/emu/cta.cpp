#include "cta.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "sanitizers.hpp"

namespace attn4j {

alignas(128) thread_local unsigned char smem_raw[kEmuMaxSharedBytes];

namespace emu {

namespace {
thread_local CtaRunner* t_running = nullptr;

/** Bytes of the kernel parameter block (CUDA allows 4 KiB; more since 12.1, which these kernels do not use). */
constexpr size_t kMaxParamBytes = 4096;

std::string dim_text(uint3 d) {
    return "(" + std::to_string(d.x) + "," + std::to_string(d.y) + "," + std::to_string(d.z) + ")";
}

/** "0-63, 65" from a sorted list of thread numbers. */
std::string ranges(const std::vector<int>& ids) {
    std::string out;
    for (size_t i = 0; i < ids.size();) {
        size_t j = i;
        while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) {
            ++j;
        }
        if (!out.empty()) {
            out += ", ";
        }
        out += std::to_string(ids[i]);
        if (j > i) {
            out += "-" + std::to_string(ids[j]);
        }
        i = j + 1;
    }
    return out;
}

const char* op_name(WarpOp op) {
    switch (op) {
        case WarpOp::All: return "__all_sync";
        case WarpOp::ShflXor: return "__shfl_xor_sync";
        case WarpOp::Ldmatrix: return "ldmatrix.x4";
        case WarpOp::LdmatrixTrans: return "ldmatrix.x4.trans";
        case WarpOp::MmaF16: return "mma.m16n8k16.f16";
        case WarpOp::MmaBF16: return "mma.m16n8k16.bf16";
        default: return "(none)";
    }
}
}  // namespace

size_t fiber_stack_bytes() {
#if ATTN4J_EMU_ASAN || ATTN4J_EMU_TSAN
    return 512u << 10;  // sanitizers put redzones and shadow frames on the stack
#else
    return 128u << 10;
#endif
}

CtaRunner* running_cta() {
    return t_running;
}

CtaRunner::CtaRunner() {
    const char* v = std::getenv("ATTN4J_EMU_RACECHECK");
    racecheck_ = v == nullptr || std::strcmp(v, "0") != 0;
}
CtaRunner::~CtaRunner() = default;

GpuThread& CtaRunner::current() {
    return *running_;
}

std::string CtaRunner::where(const GpuThread& t) const {
    return "kernel " + launch_->name + ", block " + dim_text(block_) + ", thread " + dim_text(t.index);
}

bool CtaRunner::in_shared_array(uintptr_t p) const {
    const auto base = reinterpret_cast<uintptr_t>(&smem_raw[0]);
    return p >= base && p < base + kEmuMaxSharedBytes;
}

namespace {
/** Unwinds a faulting GPU thread's stack to its entry (so its frames release what they hold). */
struct ThreadAbort {};
}  // namespace

void CtaRunner::fault(cudaError_t code, const std::string& message) {
    GpuThread& t = current();
    if (!faulted_) {
        faulted_ = true;
        fault_.code = code;
        fault_.message = where(t) + ": " + message;
    }
    throw ThreadAbort{};
}

void CtaRunner::hazard(const std::string& hazard) {
    if (!hazard.empty()) {
        fault(cudaErrorLaunchFailure, "shared-memory hazard (barrier #" + std::to_string(barrier_.completed + 1) +
                                              " of the CTA not yet reached): " + hazard);
    }
}

void CtaRunner::wait(ThreadStatus why) {
    GpuThread& t = current();
    t.status = why;
    Context::switch_to(t.context, host_);
    if (faulted_) {
        throw ThreadAbort{};  // the CTA stopped: unwind this thread too
    }
}

void CtaRunner::release_warp(const GpuThread& t, uint32_t mask) {
    const int first = t.linear / 32 * 32;
    for (int lane = 0; lane < 32; ++lane) {
        if ((mask >> lane) & 1u) {
            GpuThread& other = *threads_[first + lane];
            if (other.status == ThreadStatus::AtWarp) {
                other.status = ThreadStatus::Ready;
            }
        }
    }
}

void CtaRunner::barrier(const char* file, int line, bool reduces_or, int predicate, int& result) {
    BlockBarrier& b = barrier_;
    if (b.arrived == 0) {
        b.file = file;
        b.line = line;
        b.reduces_or = reduces_or;
        b.accumulated = 0;
    } else if (b.line != line || std::strcmp(b.file, file) != 0 || b.reduces_or != reduces_or) {
        fault(cudaErrorIllegalInstruction,
              "threads wait at different barriers: this thread at " + std::string(file) + ":" + std::to_string(line) +
                      ", " + std::to_string(b.arrived) + " other thread(s) at " + b.file + ":" +
                      std::to_string(b.line) + " (barrier #" + std::to_string(b.completed + 1) + " of the CTA)");
    }
    b.accumulated |= predicate != 0 ? 1 : 0;
    note_release(&barrier_);
    if (++b.arrived == nthreads_) {
        b.result = b.accumulated;
        b.arrived = 0;
        ++b.completed;
        races_.barrier();
        for (auto& other : threads_) {
            if (other->status == ThreadStatus::AtBarrier) {
                other->status = ThreadStatus::Ready;
            }
        }
    } else {
        wait(ThreadStatus::AtBarrier);
    }
    note_acquire(&barrier_);
    result = b.result;
}

void CtaRunner::thread_entry(void* arg) {
    auto* t = static_cast<GpuThread*>(arg);
    CtaRunner* cta = t->cta;
    Context::entered_from(cta->host_);
    note_acquire(&cta->start_);  // everything the host did before the launch happens before the thread
    // The parameters live on the thread's own stack, as a GPU thread reads them from its parameter space.
    alignas(16) unsigned char params[kMaxParamBytes];
    std::memcpy(params, cta->launch_->params.data(), cta->launch_->params.size());
    try {
        if (cta->faulted_) {
            throw ThreadAbort{};
        }
        cta->launch_->invoke(params);
        t->status = ThreadStatus::Exited;
    } catch (const ThreadAbort&) {
        t->status = ThreadStatus::Faulted;  // the CTA stops; the other threads are never resumed
    }
    note_release(&cta->end_);  // and everything the thread did happens before what follows the CTA
    Context::switch_to(t->context, cta->host_);
    std::abort();  // a finished thread is never resumed
}

std::string CtaRunner::describe_hang() const {
    std::vector<int> at_barrier, exited;
    std::string warp_text;
    for (const auto& t : threads_) {
        if (t->linear >= nthreads_) {
            break;
        }
        if (t->status == ThreadStatus::AtBarrier) {
            at_barrier.push_back(t->linear);
        } else if (t->status == ThreadStatus::Exited) {
            exited.push_back(t->linear);
        }
    }
    for (size_t w = 0; w < warps_.size() && static_cast<int>(32 * w) < nthreads_; ++w) {
        const WarpExchange& x = warps_[w];
        if (x.arrived != 0) {
            std::vector<int> lanes, missing;
            for (int lane = 0; lane < 32; ++lane) {
                if ((x.arrived >> lane) & 1u) {
                    lanes.push_back(lane);
                } else if ((x.mask >> lane) & 1u) {
                    missing.push_back(lane);
                }
            }
            warp_text += "; warp " + std::to_string(w) + ": lanes " + ranges(lanes) + " wait at " + op_name(x.op) +
                         " for lanes " + ranges(missing);
        }
    }
    std::string text = "the CTA can never finish (on a GPU it would hang or misbehave):";
    if (!at_barrier.empty()) {
        text += " threads " + ranges(at_barrier) + " wait at barrier #" + std::to_string(barrier_.completed + 1) +
                " (" + (barrier_.file != nullptr ? barrier_.file : "?") + ":" + std::to_string(barrier_.line) + ")";
    }
    if (!exited.empty()) {
        text += "; threads " + ranges(exited) + " have exited";
    }
    return text + warp_text;
}

bool CtaRunner::run(const GridLaunch& launch, uint3 block, Fault& fault) {
    launch_ = &launch;
    block_ = block;
    nthreads_ = static_cast<int>(launch.block.x * launch.block.y * launch.block.z);
    faulted_ = false;
    fault_ = Fault{};
    while (static_cast<int>(threads_.size()) < nthreads_) {
        stacks_.push_back(std::make_unique<FiberStack>(fiber_stack_bytes()));
        threads_.push_back(std::make_unique<GpuThread>());
    }
    warps_.assign(static_cast<size_t>((nthreads_ + 31) / 32), WarpExchange{});
    barrier_ = BlockBarrier{};
    races_.begin_cta();
    // Shared memory starts as garbage on a GPU: poison it (0xff is NaN in every float type).
    std::memset(smem_raw, 0xff, launch.shared_bytes);
    for (int i = 0; i < nthreads_; ++i) {
        GpuThread& t = *threads_[i];
        t.linear = i;
        t.index = uint3{static_cast<unsigned>(i) % launch.block.x,
                        static_cast<unsigned>(i) / launch.block.x % launch.block.y,
                        static_cast<unsigned>(i) / (launch.block.x * launch.block.y)};
        t.status = ThreadStatus::Ready;
        t.copies.clear();
        t.group_sizes.clear();
        t.cta = this;
        t.context.prepare(*stacks_[i], &CtaRunner::thread_entry, &t);
    }
    CtaRunner* outer = t_running;
    t_running = this;
    note_release(&start_);
    int finished = 0;
    while (!faulted_ && finished < nthreads_) {
        bool progressed = false;
        finished = 0;
        for (int i = 0; i < nthreads_ && !faulted_; ++i) {
            GpuThread& t = *threads_[i];
            if (t.status == ThreadStatus::Ready) {
                running_ = &t;
                Context::switch_to(host_, t.context);
                running_ = nullptr;
                progressed = true;
            }
            if (t.status == ThreadStatus::Exited) {
                ++finished;
            }
        }
        if (!progressed && !faulted_ && finished < nthreads_) {
            faulted_ = true;
            fault_.code = cudaErrorLaunchFailure;
            fault_.message = "kernel " + launch.name + ", block " + dim_text(block) + ": " + describe_hang();
        }
    }
    if (faulted_) {
        // Unwind every thread that has not finished: their frames release what they hold, and (for
        // ThreadSanitizer) everything they did happens before what follows the CTA.
        for (int i = 0; i < nthreads_; ++i) {
            GpuThread& t = *threads_[i];
            if (t.status != ThreadStatus::Exited && t.status != ThreadStatus::Faulted) {
                running_ = &t;
                Context::switch_to(host_, t.context);
                running_ = nullptr;
            }
        }
    }
    t_running = outer;
    note_acquire(&end_);
    if (faulted_) {
        fault = fault_;
        return false;
    }
    return true;
}

}  // namespace emu
}  // namespace attn4j
