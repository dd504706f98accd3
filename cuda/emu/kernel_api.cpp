// The CUDA built-ins and PTX instructions of kernel_api.hpp, for the GPU thread that runs on this host thread.
#include "kernel_api.hpp"

#include <cstring>
#include <string>

#include "cta.hpp"
#include "memcheck.hpp"
#include "sanitizers.hpp"

namespace attn4j {
namespace emu {

namespace {

CtaRunner& cta() {
    CtaRunner* c = running_cta();
    if (c == nullptr) {
        std::fprintf(stderr, "attn4j emulator: a device function was called outside an emulated kernel\n");
        std::abort();
    }
    return *c;
}

/**
 * The common part of every warp collective: checks that the lanes agree, stores nothing itself (the caller filled
 * its inputs), and returns true in the lane that completes the set (it computes the outputs) after the others were
 * told to wait. Returns false in a lane that waited: its outputs are ready when it resumes.
 */
bool arrive(CtaRunner& c, WarpExchange& x, WarpOp op, uint32_t mask, int lane) {
    if (((mask >> lane) & 1u) == 0) {
        c.fault(cudaErrorIllegalInstruction, std::string("a lane outside the mask executes a warp collective (mask ") +
                                                     std::to_string(mask) + ")");
    }
    if (x.arrived == 0) {
        x.op = op;
        x.mask = mask;
    } else if (x.op != op || x.mask != mask) {
        c.fault(cudaErrorIllegalInstruction,
                "the lanes of a warp execute different collectives (divergent warp): this lane is at one with mask " +
                        std::to_string(mask) + ", other lanes wait at another with mask " + std::to_string(x.mask));
    }
    x.arrived |= 1u << lane;
    return x.arrived == x.mask;
}

/** Lane index of the running thread within its warp. */
int lane_of(const GpuThread& t) {
    return t.linear & 31;
}

}  // namespace

uint3 thread_idx() {
    return cta().current().index;
}

uint3 block_idx() {
    return cta().block();
}

dim3 block_dim() {
    return cta().launch().block;
}

dim3 grid_dim() {
    return cta().launch().grid;
}

void sync_threads(const char* file, int line) {
    int result;
    cta().barrier(file, line, false, 0, result);
}

int sync_threads_or(int predicate, const char* file, int line) {
    int result;
    cta().barrier(file, line, true, predicate, result);
    return result;
}

int warp_all(unsigned mask, int predicate) {
    CtaRunner& c = cta();
    GpuThread& t = c.current();
    WarpExchange& x = c.warp_of(t);
    const int lane = lane_of(t);
    x.predicate[lane] = predicate != 0;
    if (arrive(c, x, WarpOp::All, mask, lane)) {
        int all = 1;
        for (int l = 0; l < 32; ++l) {
            if ((mask >> l) & 1u) {
                all &= x.predicate[l];
            }
        }
        x.all_result = all;
        x.arrived = 0;
        c.release_warp(t, mask);
    } else {
        c.wait(ThreadStatus::AtWarp);
    }
    return x.all_result;
}

uint64_t warp_shfl_xor(unsigned mask, uint64_t bits, int lane_mask, int width) {
    CtaRunner& c = cta();
    GpuThread& t = c.current();
    WarpExchange& x = c.warp_of(t);
    const int lane = lane_of(t);
    x.shfl_in[lane] = bits;
    x.shfl_lane_mask[lane] = lane_mask;
    x.shfl_width[lane] = width;
    if (arrive(c, x, WarpOp::ShflXor, mask, lane)) {
        for (int l = 0; l < 32; ++l) {
            if (((mask >> l) & 1u) == 0) {
                continue;
            }
            const int w = x.shfl_width[l];
            const int src = l ^ x.shfl_lane_mask[l];
            // Outside the lane's segment of width lanes the value stays its own (the PTX clamp).
            if (w <= 0 || w > 32 || (w & (w - 1)) != 0) {
                c.fault(cudaErrorIllegalInstruction, "__shfl_xor_sync: width must be a power of 2 in 1..32");
            }
            const bool same_segment = (src / w) == (l / w);
            if (same_segment && ((mask >> src) & 1u) == 0) {
                c.fault(cudaErrorIllegalInstruction, "__shfl_xor_sync: lane " + std::to_string(l) + " reads lane " +
                                                             std::to_string(src) + ", which is not in the mask");
            }
            x.shfl_out[l] = same_segment ? x.shfl_in[src] : x.shfl_in[l];
        }
        x.arrived = 0;
        c.release_warp(t, mask);
    } else {
        c.wait(ThreadStatus::AtWarp);
    }
    return x.shfl_out[lane];
}

void cp_async_16(void* smem_dst, const void* gmem_src, bool valid) {
    CtaRunner& c = cta();
    GpuThread& t = c.current();
    check_shared_access(smem_dst, 16, true, "cp.async destination", 16);
    PendingCopy copy;
    copy.dst = smem_dst;
    if (valid) {
        check_global_access(gmem_src, 16, false, "cp.async source", 16);
        note_read(gmem_src, 16);
        std::memcpy(copy.bytes, gmem_src, 16);
    } else {
        std::memset(copy.bytes, 0, 16);
    }
    if (SharedRaceCheck* races = c.races()) {
        c.hazard(races->async_issue(static_cast<size_t>(static_cast<unsigned char*>(smem_dst) - &smem_raw[0]),
                                    t.linear));
    }
    // Until its group is waited for, the destination holds garbage: NaN shows any read that comes too early.
    note_write(smem_dst, 16);
    std::memset(smem_dst, 0xff, 16);
    t.copies.push_back(copy);
}

void cp_async_commit() {
    GpuThread& t = cta().current();
    int committed = 0;
    for (int n : t.group_sizes) {
        committed += n;
    }
    t.group_sizes.push_back(static_cast<int>(t.copies.size()) - committed);
}

void cp_async_wait(int n) {
    CtaRunner& c = cta();
    GpuThread& t = c.current();
    SharedRaceCheck* races = c.races();
    size_t landed = 0;
    while (static_cast<int>(t.group_sizes.size()) > n) {
        const int count = t.group_sizes.front();
        for (int i = 0; i < count; ++i) {
            const PendingCopy& copy = t.copies[landed + static_cast<size_t>(i)];
            note_write(copy.dst, 16);
            std::memcpy(copy.dst, copy.bytes, 16);
            if (races != nullptr) {
                races->async_land(static_cast<size_t>(static_cast<unsigned char*>(copy.dst) - &smem_raw[0]), t.linear);
            }
        }
        landed += static_cast<size_t>(count);
        t.group_sizes.erase(t.group_sizes.begin());
    }
    t.copies.erase(t.copies.begin(), t.copies.begin() + static_cast<long>(landed));
}

void ldmatrix_x4(uint32_t (&regs)[4], const void* smem_row, bool trans) {
    CtaRunner& c = cta();
    GpuThread& t = c.current();
    WarpExchange& x = c.warp_of(t);
    const int lane = lane_of(t);
    // Each lane reads the row it points at (so a read before the row landed, or a race, is this lane's).
    check_shared_access(smem_row, 16, false, trans ? "ldmatrix.trans row" : "ldmatrix row", 16);
    note_shared_access(smem_row, 16, false);
    note_read(smem_row, 16);
    std::memcpy(x.rows[lane], smem_row, 16);
    if (arrive(c, x, trans ? WarpOp::LdmatrixTrans : WarpOp::Ldmatrix, 0xffffffffu, lane)) {
        ldmatrix_x4_exchange(x.rows, trans, x.regs_out);
        x.arrived = 0;
        c.release_warp(t, 0xffffffffu);
    } else {
        c.wait(ThreadStatus::AtWarp);
    }
    for (int i = 0; i < 4; ++i) {
        regs[i] = x.regs_out[lane][i];
    }
}

namespace {
void mma(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1, MmaType type) {
    CtaRunner& c = cta();
    GpuThread& t = c.current();
    WarpExchange& x = c.warp_of(t);
    const int lane = lane_of(t);
    MmaLaneInput& in = x.mma_in[lane];
    for (int i = 0; i < 4; ++i) {
        in.a[i] = a[i];
        in.c[i] = d[i];
    }
    in.b[0] = b0;
    in.b[1] = b1;
    if (arrive(c, x, type == MmaType::F16 ? WarpOp::MmaF16 : WarpOp::MmaBF16, 0xffffffffu, lane)) {
        mma_16816_exchange(x.mma_in, type, x.mma_out);
        x.arrived = 0;
        c.release_warp(t, 0xffffffffu);
    } else {
        c.wait(ThreadStatus::AtWarp);
    }
    for (int i = 0; i < 4; ++i) {
        d[i] = x.mma_out[lane][i];
    }
}
}  // namespace

void mma_16816_f16(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    mma(d, a, b0, b1, MmaType::F16);
}

void mma_16816_bf16(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    mma(d, a, b0, b1, MmaType::BF16);
}

void check_global(const void* p, size_t bytes, bool write, const char* what) {
    check_global_access(p, bytes, write, what, bytes);
}

void trap(const char* what) {
    cta().fault(cudaErrorIllegalInstruction, std::string("trap: ") + what);
}

}  // namespace emu
}  // namespace attn4j
