// The GPU emulator's own tests (make emu-tests): the tensor-core fragment layouts against a brute-force matrix
// product through the PTX ISA's per-lane index maps; the fragment pairings the attention kernels use, run as real
// emulated kernels; the warp and block built-ins; deliberate bugs, each of which must be reported; the CUDA runtime
// semantics the emulator promises (stream ordering, pageable copies, events, last and sticky errors); and the C
// ABI's concurrency hazards (plans, streams and memory freed under running calls, stale errors). Exit status 0 when
// every check passes.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../../include/attn4j_cuda.h"
#include "../../test/reference.hpp"
#include "../emu_api.h"
#include "../fragments_ptx.hpp"
#include "planted_kernels.hpp"

using namespace attn4j;

namespace {

int g_checks = 0;
int g_failures = 0;

#define CHECK(cond, ...)                                                    \
    do {                                                                    \
        ++g_checks;                                                         \
        if (!(cond)) {                                                      \
            ++g_failures;                                                   \
            std::printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);     \
            std::printf(__VA_ARGS__);                                       \
            std::printf("\n");                                              \
        }                                                                   \
    } while (0)

std::mt19937_64 g_rng(2026);

float uniform(float lo, float hi) {
    return std::uniform_real_distribution<float>(lo, hi)(g_rng);
}

uint16_t half_bits(float x) {
    __half h = __float2half_rn(x);
    uint16_t b;
    std::memcpy(&b, &h, 2);
    return b;
}

uint16_t bf16_bits(float x) {
    __nv_bfloat16 h = __float2bfloat16_rn(x);
    uint16_t b;
    std::memcpy(&b, &h, 2);
    return b;
}

// ---------------------------------------------------------------------------------------------------------------
// Fragment layouts, as the PTX ISA lists them for mma.m16n8k16 with 16-bit inputs: thread T = lane holds, in its
// four A registers, elements a0..a7 with a_i at row (groupID or groupID + 8) and column (threadID_in_group * 2 +
// (i & 1), + 8 for i >= 4); groupID + 8 for a2, a3, a6, a7. Written here in that element-wise form, independently of
// the emulator's and of host/fragments.hpp.

int a_row(int lane, int i) {
    const int group = lane / 4;
    return (i == 2 || i == 3 || i == 6 || i == 7) ? group + 8 : group;
}
int a_col(int lane, int i) {
    return (lane % 4) * 2 + (i & 1) + (i >= 4 ? 8 : 0);
}
int b_row(int lane, int i) {  // k
    return (lane % 4) * 2 + (i & 1) + (i >= 2 ? 8 : 0);
}
int b_col(int lane) {  // n
    return lane / 4;
}
int c_row(int lane, int i) {
    return lane / 4 + (i >= 2 ? 8 : 0);
}
int c_col(int lane, int i) {
    return (lane % 4) * 2 + (i & 1);
}

void test_mma_layout(emu::MmaType type) {
    for (int trial = 0; trial < 20; ++trial) {
        uint16_t a[16][16], b[16][8];
        float c[16][8];
        for (int r = 0; r < 16; ++r) {
            for (int k = 0; k < 16; ++k) {
                const float x = uniform(-2, 2);
                a[r][k] = type == emu::MmaType::F16 ? half_bits(x) : bf16_bits(x);
            }
        }
        for (int k = 0; k < 16; ++k) {
            for (int n = 0; n < 8; ++n) {
                const float x = uniform(-2, 2);
                b[k][n] = type == emu::MmaType::F16 ? half_bits(x) : bf16_bits(x);
            }
        }
        for (int r = 0; r < 16; ++r) {
            for (int n = 0; n < 8; ++n) {
                c[r][n] = uniform(-1, 1);
            }
        }
        emu::MmaLaneInput in[32];
        for (int lane = 0; lane < 32; ++lane) {
            for (int reg = 0; reg < 4; ++reg) {
                const int lo = 2 * reg, hi = 2 * reg + 1;
                in[lane].a[reg] = a[a_row(lane, lo)][a_col(lane, lo)] |
                                  (static_cast<uint32_t>(a[a_row(lane, hi)][a_col(lane, hi)]) << 16);
            }
            for (int reg = 0; reg < 2; ++reg) {
                const int lo = 2 * reg, hi = 2 * reg + 1;
                in[lane].b[reg] = b[b_row(lane, lo)][b_col(lane)] |
                                  (static_cast<uint32_t>(b[b_row(lane, hi)][b_col(lane)]) << 16);
            }
            for (int i = 0; i < 4; ++i) {
                in[lane].c[i] = c[c_row(lane, i)][c_col(lane, i)];
            }
        }
        float d[32][4];
        emu::mma_16816_exchange(in, type, d);
        auto value = [type](uint16_t bits) {
            return static_cast<double>(type == emu::MmaType::F16 ? emu::half_bits_to_float(bits)
                                                                 : emu::bf16_bits_to_float(bits));
        };
        double worst = 0;
        for (int lane = 0; lane < 32; ++lane) {
            for (int i = 0; i < 4; ++i) {
                const int r = c_row(lane, i), n = c_col(lane, i);
                double expect = c[r][n];
                for (int k = 0; k < 16; ++k) {
                    expect += value(a[r][k]) * value(b[k][n]);
                }
                worst = std::max(worst, std::fabs(d[lane][i] - expect));
            }
        }
        CHECK(worst < 1e-5, "mma %s: largest error %g", type == emu::MmaType::F16 ? "f16" : "bf16", worst);
    }
}

void test_ldmatrix_layout() {
    // Rows hold their own coordinates: element (matrix m, row r, col c) = 256 m + 16 r + c.
    uint32_t rows[32][4];
    for (int lane = 0; lane < 32; ++lane) {
        const int m = lane / 8, r = lane % 8;
        for (int w = 0; w < 4; ++w) {
            const uint32_t lo = 256 * m + 16 * r + 2 * w, hi = lo + 1;
            rows[lane][w] = lo | (hi << 16);
        }
    }
    uint32_t out[32][4], out_t[32][4];
    emu::ldmatrix_x4_exchange(rows, false, out);
    emu::ldmatrix_x4_exchange(rows, true, out_t);
    int bad = 0;
    for (int lane = 0; lane < 32; ++lane) {
        for (int m = 0; m < 4; ++m) {
            // Without .trans: row lane / 4, columns 2 (lane % 4) and + 1. With .trans: column lane / 4, rows
            // 2 (lane % 4) and + 1.
            const uint32_t r = lane / 4, c = 2 * (lane % 4);
            const uint32_t want = (256 * m + 16 * r + c) | ((256 * m + 16 * r + c + 1) << 16);
            const uint32_t want_t = (256 * m + 16 * c + r) | ((256 * m + 16 * (c + 1) + r) << 16);
            bad += out[lane][m] != want;
            bad += out_t[lane][m] != want_t;
        }
    }
    CHECK(bad == 0, "%d ldmatrix registers differ from the ISA's layout", bad);
}

// ---------------------------------------------------------------------------------------------------------------
// Emulated kernels.

template <typename T>
T* device_copy(const std::vector<T>& host) {
    void* p = nullptr;
    cudaMalloc(&p, host.size() * sizeof(T) + 16);
    cudaMemcpy(p, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice);
    return static_cast<T*>(p);
}

template <typename T>
std::vector<T> host_copy(const T* device, size_t n) {
    std::vector<T> host(n);
    cudaMemcpy(host.data(), device, n * sizeof(T), cudaMemcpyDeviceToHost);
    return host;
}

void test_pairings() {
    const char* names[] = {"Q K^T (a_rowmajor, b_from_nk)", "P V (accumulator A, b_from_kn .trans)",
                           "dS K (a_from_km .trans, b_from_kn .trans)"};
    for (int pairing = 0; pairing < 3; ++pairing) {
        std::vector<uint16_t> a(256), b(256);
        std::vector<float> a32(256), av(256), bv(256);
        for (int e = 0; e < 256; ++e) {
            av[e] = uniform(-1, 1);
            bv[e] = uniform(-1, 1);
            a[e] = half_bits(av[e]);
            a32[e] = emu::half_bits_to_float(a[e]);
            b[e] = half_bits(bv[e]);
            bv[e] = emu::half_bits_to_float(b[e]);
            av[e] = a32[e];
        }
        uint16_t* da = device_copy(a);
        float* da32 = device_copy(a32);
        uint16_t* db = device_copy(b);
        float* dd = nullptr;
        cudaMalloc(reinterpret_cast<void**>(&dd), 256 * sizeof(float));
        const cudaError_t e = planted::product(static_cast<planted::Pairing>(pairing), da, da32, db, dd, nullptr);
        CHECK(e == cudaSuccess, "%s: launch %s", names[pairing], cudaGetErrorName(e));
        CHECK(cudaDeviceSynchronize() == cudaSuccess, "%s: %s", names[pairing], cudaGetErrorString(cudaGetLastError()));
        const std::vector<float> d = host_copy(dd, 256);
        double worst = 0;
        for (int m = 0; m < 16; ++m) {
            for (int n = 0; n < 16; ++n) {
                double expect = 0;
                for (int k = 0; k < 16; ++k) {
                    // QKt: b holds [n][k]; PV: b holds [k][n]; DsK: a holds [k][m], b [k][n].
                    const double x = pairing == 2 ? av[k * 16 + m] : av[m * 16 + k];
                    const double y = pairing == 0 ? bv[n * 16 + k] : bv[k * 16 + n];
                    expect += x * y;
                }
                worst = std::max(worst, std::fabs(d[m * 16 + n] - expect));
            }
        }
        CHECK(worst < 1e-4, "%s: largest error %g", names[pairing], worst);
        cudaFree(da);
        cudaFree(da32);
        cudaFree(db);
        cudaFree(dd);
    }
}

void test_builtins() {
    int32_t* out = nullptr;
    cudaMalloc(reinterpret_cast<void**>(&out), 64 * sizeof(int32_t));
    CHECK(planted::builtins(out, nullptr) == cudaSuccess, "launch");
    const std::vector<int32_t> h = host_copy(out, 64);
    int bad = 0;
    for (int t = 0; t < 64; ++t) {
        const int lane = t & 31;
        const int all = t < 32 ? 1 : 0;  // lanes of warp 0 all have tid < 40; warp 1 does not
        const int want = ((lane * 100 + (lane ^ 1)) * 100 + (lane ^ 16)) * 10 + 2 * all + 1;
        bad += h[t] != want;
    }
    CHECK(bad == 0, "%d threads got wrong shuffle / vote / barrier results", bad);
    cudaFree(out);
}

// ---------------------------------------------------------------------------------------------------------------
// Planted bugs: each launch succeeds (the bug shows when the kernel runs), synchronising reports it with a sentence
// that says what went wrong, and a device reset recovers.

void expect_fault(const char* what, cudaError_t launch, cudaError_t code, const char* phrase) {
    CHECK(launch == cudaSuccess, "%s: the launch itself failed: %s", what, cudaGetErrorName(launch));
    const cudaError_t e = cudaDeviceSynchronize();
    const std::string text = cudaGetErrorString(e);
    CHECK(e == code, "%s: expected %s, got %s (%s)", what, cudaGetErrorName(code), cudaGetErrorName(e), text.c_str());
    CHECK(text.find(phrase) != std::string::npos, "%s: the report does not say '%s': %s", what, phrase, text.c_str());
    void* probe = nullptr;
    CHECK(cudaMalloc(&probe, 4) == code, "%s: the error is not sticky", what);
    cudaDeviceReset();
    CHECK(cudaDeviceSynchronize() == cudaSuccess, "%s: reset did not clear the error", what);
}

/** Plain loads and stores of kernel code are checked by the emulator only in its default (memcheck) build; the
 *  AddressSanitizer build reports (and stops at) bad global accesses itself. */
constexpr bool kPlainAccessesChecked =
#if defined(ATTN4J_EMU_ASAN) && ATTN4J_EMU_ASAN
        false;
#elif defined(ATTN4J_EMU_TSAN) && ATTN4J_EMU_TSAN
        false;
#else
        true;
#endif

void test_planted_bugs() {
    auto buffer = [](size_t floats) {
        float* p = nullptr;
        cudaMalloc(reinterpret_cast<void**>(&p), floats * sizeof(float));
        cudaMemset(p, 0, floats * sizeof(float));
        return p;
    };
    if (kPlainAccessesChecked) {
        expect_fault("missing barrier", planted::missing_barrier(buffer(128), nullptr), cudaErrorLaunchFailure,
                     "shared-memory hazard");
        expect_fault("missing barrier (write after read)", planted::missing_barrier_war(buffer(128), nullptr),
                     cudaErrorLaunchFailure, "write-after-read hazard");
        expect_fault("wrong cp.async wait count", planted::wrong_wait_count(buffer(512), buffer(128), nullptr),
                     cudaErrorLaunchFailure, "still in flight");
        expect_fault("out-of-bounds read", planted::out_of_bounds_read(buffer(256), 256, buffer(128), nullptr),
                     cudaErrorIllegalAddress, "past the end of the allocation of 1024 bytes");
        expect_fault("shared memory out of bounds", planted::shared_out_of_bounds(buffer(128), 4096, nullptr),
                     cudaErrorIllegalAddress, "outside the 4096 bytes of dynamic shared memory");
        float* in = buffer(256);
        cudaFree(in);
        expect_fault("use after free", planted::out_of_bounds_read(in, 200, buffer(128), nullptr),
                     cudaErrorIllegalAddress, "use after free");
    }
    expect_fault("out-of-bounds cp.async", planted::out_of_bounds_cp_async(buffer(300), 300, buffer(128), nullptr),
                 cudaErrorIllegalAddress, "cp.async source");
    expect_fault("divergent barrier", planted::divergent_barrier(buffer(128), nullptr), cudaErrorIllegalInstruction,
                 "threads wait at different barriers");
    expect_fault("barrier half the CTA skips", planted::partial_barrier(buffer(128), nullptr), cudaErrorLaunchFailure,
                 "threads 64-127 have exited");
    expect_fault("divergent warp", planted::divergent_warp(buffer(32), nullptr), cudaErrorIllegalInstruction,
                 "different collectives");
    expect_fault("misaligned ldmatrix", planted::misaligned_ldmatrix(buffer(32), nullptr), cudaErrorMisalignedAddress,
                 "16-byte aligned");
    // Shared memory above 48 KiB needs the opt-in; above the device's limit even the opt-in fails, as on an H100.
    float* out = buffer(32);
    CHECK(planted::large_shared(out, 64 * 1024, false, nullptr) == cudaErrorInvalidValue,
          "64 KiB without cudaFuncSetAttribute was launched");
    cudaGetLastError();
    CHECK(planted::large_shared(out, 64 * 1024, true, nullptr) == cudaSuccess, "64 KiB with the opt-in failed");
    CHECK(cudaDeviceSynchronize() == cudaSuccess, "64 KiB kernel: %s", cudaGetErrorString(cudaGetLastError()));
    CHECK(planted::large_shared(out, 232448 + 1024, true, nullptr) == cudaErrorInvalidValue,
          "more shared memory than an sm_90 block may have was accepted");
    cudaGetLastError();
    cudaDeviceReset();
}

// ---------------------------------------------------------------------------------------------------------------
// Runtime semantics.

void test_legacy_stream_and_pageable_copies() {
    // cudaMemcpy from pageable memory returns before the data lands; the legacy stream orders it before later
    // legacy and blocking-stream work, but not before a non-blocking stream's: that kernel reads the poison the
    // device memory started with (the pattern the plan upload used to follow).
    std::vector<int32_t> host(256);
    for (int i = 0; i < 256; ++i) {
        host[i] = i;
    }
    int32_t *in = nullptr, *out = nullptr;
    cudaMalloc(reinterpret_cast<void**>(&in), 1024);
    cudaMalloc(reinterpret_cast<void**>(&out), 1024);
    cudaStream_t free_running = nullptr;
    cudaStreamCreateWithFlags(&free_running, cudaStreamNonBlocking);
    cudaMemcpy(in, host.data(), 1024, cudaMemcpyHostToDevice);
    planted::copy_ints(in, out, 256, free_running);
    cudaStreamSynchronize(free_running);
    std::vector<int32_t> seen(256);
    cudaMemcpyAsync(seen.data(), out, 1024, cudaMemcpyDeviceToHost, free_running);
    int poisoned = 0;
    for (int v : seen) {
        poisoned += v == -1;
    }
    CHECK(poisoned == 256, "a non-blocking stream saw %d of 256 values of a pageable cudaMemcpy still in flight "
          "as poison; expected all", poisoned);
    // The per-thread default stream is a blocking stream: it waits for the legacy stream.
    cudaMemcpy(in, host.data(), 1024, cudaMemcpyHostToDevice);
    planted::copy_ints(in, out, 256, cudaStreamPerThread);
    cudaMemcpyAsync(seen.data(), out, 1024, cudaMemcpyDeviceToHost, cudaStreamPerThread);
    CHECK(seen == host, "the per-thread stream ran before the legacy stream's copy landed");
    cudaStreamDestroy(free_running);
    cudaFree(in);
    cudaFree(out);
}

void test_events_and_errors() {
    cudaEvent_t a, b;
    CHECK(cudaEventCreate(&a) == cudaSuccess && cudaEventCreate(&b) == cudaSuccess, "events");
    float ms = -1;
    CHECK(cudaEventElapsedTime(&ms, a, b) == cudaErrorInvalidResourceHandle, "elapsed time of unrecorded events");
    cudaGetLastError();
    cudaEventRecord(a, cudaStreamPerThread);
    cudaEventRecord(b, cudaStreamPerThread);
    CHECK(cudaEventSynchronize(b) == cudaSuccess, "event synchronize");
    CHECK(cudaEventElapsedTime(&ms, a, b) == cudaSuccess && ms >= 0, "elapsed %g", ms);
    cudaEventDestroy(a);
    cudaEventDestroy(b);
    CHECK(cudaEventRecord(a, cudaStreamPerThread) == cudaErrorInvalidResourceHandle, "destroyed event recorded");
    // The last error is per thread, returned and cleared by cudaGetLastError.
    CHECK(cudaGetLastError() == cudaErrorInvalidResourceHandle, "last error");
    CHECK(cudaGetLastError() == cudaSuccess, "last error not cleared");
    std::thread([] { CHECK(cudaGetLastError() == cudaSuccess, "another thread's last error"); }).join();
    // More memory than the device has.
    size_t free_bytes = 0, total = 0;
    cudaMemGetInfo(&free_bytes, &total);
    void* p = nullptr;
    CHECK(cudaMalloc(&p, total + 1) == cudaErrorMemoryAllocation, "allocated more than the device has");
    cudaGetLastError();
}

// ---------------------------------------------------------------------------------------------------------------
// The C ABI's hazards.

struct Attention {
    int64_t q = 0, k = 0, v = 0, o = 0, plan = 0;
    int nq = 130, nk = 150, d = 64;
    ref::Problem problem;
    ref::Outputs expected;

    Attention() {
        problem.nq = nq;
        problem.nk = nk;
        problem.d = d;
        problem.scale = 1.0 / 8.0;
        problem.mask.nq = nq;
        problem.mask.nk = nk;
        problem.mask.causal = 1;
        q = upload(problem.q, nq);
        k = upload(problem.k, nk);
        v = upload(problem.v, nk);
        attn4j_malloc(0, 4LL * nq * d, &o);
        expected = ref::forward(problem);
    }
    ~Attention() {
        attn4j_free(0, q);
        attn4j_free(0, k);
        attn4j_free(0, v);
        attn4j_free(0, o);
        if (plan != 0) {
            attn4j_plan_destroy(plan);
        }
    }
    int64_t upload(std::vector<float>& values, int n) {
        std::vector<uint16_t> bits(static_cast<size_t>(n) * d);
        values.resize(bits.size());
        for (size_t i = 0; i < bits.size(); ++i) {
            bits[i] = half_bits(uniform(-1, 1));
            values[i] = emu::half_bits_to_float(bits[i]);
        }
        int64_t ptr = 0;
        attn4j_malloc(0, static_cast<int64_t>(bits.size()) * 2, &ptr);
        attn4j_memcpy_h2d(0, ptr, reinterpret_cast<int64_t>(bits.data()), static_cast<int64_t>(bits.size()) * 2,
                          static_cast<int64_t>(bits.size()) * 2, 0);
        return ptr;
    }
    int32_t make_plan() {
        int64_t desc[ATTN4J_PLAN_COUNT] = {};
        desc[ATTN4J_PLAN_NQ] = nq;
        desc[ATTN4J_PLAN_NK] = nk;
        desc[ATTN4J_PLAN_BATCH] = 1;
        desc[ATTN4J_PLAN_Q_HEADS] = 1;
        desc[ATTN4J_PLAN_KV_HEADS] = 1;
        desc[ATTN4J_PLAN_CAUSAL] = 1;
        desc[ATTN4J_PLAN_BLOCK_BATCH] = 1;  // block-mask fields are validated even without a block mask
        desc[ATTN4J_PLAN_BLOCK_HEADS] = 1;
        desc[ATTN4J_PLAN_BLOCK_BQ] = 64;
        desc[ATTN4J_PLAN_BLOCK_BK] = 64;
        return attn4j_plan_create(0, desc, ATTN4J_PLAN_COUNT, nullptr, 0, &plan);
    }
    int32_t forward(int64_t stream, int64_t plan_handle, int64_t q_ptr = -1) {
        int64_t a[ATTN4J_FWD_COUNT] = {};
        a[ATTN4J_FWD_STREAM] = stream;
        a[ATTN4J_FWD_PLAN] = plan_handle;
        a[ATTN4J_FWD_Q] = q_ptr == -1 ? q : q_ptr;
        a[ATTN4J_FWD_K] = k;
        a[ATTN4J_FWD_V] = v;
        a[ATTN4J_FWD_O] = o;
        a[ATTN4J_FWD_DTYPE] = ATTN4J_FP16;
        a[ATTN4J_FWD_OUT_DTYPE] = ATTN4J_FP32;
        a[ATTN4J_FWD_BATCH] = 1;
        a[ATTN4J_FWD_Q_HEADS] = 1;
        a[ATTN4J_FWD_KV_HEADS] = 1;
        a[ATTN4J_FWD_NQ] = nq;
        a[ATTN4J_FWD_NK] = nk;
        a[ATTN4J_FWD_HEAD_DIM] = d;
        a[ATTN4J_FWD_VALUE_DIM] = d;
        double scale = 1.0 / 8.0;
        std::memcpy(&a[ATTN4J_FWD_SCALE_BITS], &scale, 8);
        a[ATTN4J_FWD_NORMALIZER] = ATTN4J_SOFTMAX;
        return attn4j_forward(a, ATTN4J_FWD_COUNT);
    }
    double error() {
        std::vector<float> out(static_cast<size_t>(nq) * d);
        attn4j_memcpy_d2h(0, reinterpret_cast<int64_t>(out.data()), static_cast<int64_t>(out.size()) * 4, o,
                          static_cast<int64_t>(out.size()) * 4, 0);
        return ref::relative_error(out, expected.o);
    }
};

void test_plan_is_ready_for_every_stream() {
    // A plan created and used at once from a non-blocking stream: the upload must have landed.
    Attention t;
    int64_t stream = 0;
    attn4j_stream_create(0, &stream);
    CHECK(t.make_plan() == 0, "plan: %s", attn4j_last_error_message());
    CHECK(t.forward(stream, t.plan) == 0, "forward: %s", attn4j_last_error_message());
    CHECK(attn4j_stream_synchronize(0, stream) == 0, "%s", attn4j_last_error_message());
    const double e = t.error();
    CHECK(e < 1e-2, "forward right after the plan's creation, on a non-blocking stream: error %g", e);
    attn4j_stream_destroy(0, stream);
}

void test_plan_destroyed_during_launches() {
    Attention t;
    CHECK(t.make_plan() == 0, "plan: %s", attn4j_last_error_message());
    std::atomic<bool> go{false};
    int launched = 0, refused = 0, other = 0;
    const int64_t plan = t.plan;  // the handle, read by both threads; the destroy is what races with the launches
    t.plan = 0;
    std::thread launcher([&] {
        while (!go.load()) {
        }
        for (int i = 0; i < 40; ++i) {
            const int32_t r = t.forward(0, plan);
            if (r == 0) {
                ++launched;
            } else if (r == ATTN4J_ERR_INVALID_ARGUMENT) {
                ++refused;  // "unknown or destroyed handle"
            } else {
                ++other;
            }
        }
        attn4j_stream_synchronize(0, 0);
    });
    go = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(attn4j_plan_destroy(plan) == 0, "destroy: %s", attn4j_last_error_message());
    launcher.join();
    CHECK(other == 0, "%d launches failed with something other than an unknown plan", other);
    CHECK(cudaDeviceSynchronize() == cudaSuccess, "a kernel faulted: %s", cudaGetErrorString(cudaGetLastError()));
    CHECK(launched + refused == 40, "%d + %d", launched, refused);
}

void test_free_and_destroy_do_not_stall_the_device() {
    Attention t;
    CHECK(t.make_plan() == 0, "plan: %s", attn4j_last_error_message());
    int64_t stream = 0;
    attn4j_stream_create(0, &stream);
    const int64_t syncs = attn4j_emu_device_synchronizations();
    CHECK(t.forward(stream, t.plan) == 0, "forward: %s", attn4j_last_error_message());
    // Freed and destroyed while the kernels may still be queued: they must still see their inputs.
    int64_t q = t.q;
    t.q = 0;
    CHECK(attn4j_free(0, q) == 0, "free: %s", attn4j_last_error_message());
    CHECK(attn4j_plan_destroy(t.plan) == 0, "plan destroy: %s", attn4j_last_error_message());
    t.plan = 0;
    CHECK(attn4j_emu_device_synchronizations() == syncs, "free or plan destroy synchronised the whole device");
    CHECK(attn4j_stream_synchronize(0, stream) == 0, "%s", attn4j_last_error_message());
    CHECK(t.error() < 1e-2, "the call saw memory freed under it");
    CHECK(attn4j_free(0, q) == ATTN4J_ERR_INVALID_ARGUMENT, "a double free was accepted");
    CHECK(t.forward(stream, 0, q) == ATTN4J_ERR_INVALID_ARGUMENT, "a freed q pointer was accepted");
    attn4j_stream_destroy(0, stream);
    CHECK(cudaDeviceSynchronize() == cudaSuccess, "%s", cudaGetErrorString(cudaGetLastError()));
}

void test_stream_destroyed_during_launches() {
    Attention t;
    CHECK(t.make_plan() == 0, "plan: %s", attn4j_last_error_message());
    int64_t stream = 0;
    attn4j_stream_create(0, &stream);
    int other = 0;
    std::thread launcher([&] {
        for (int i = 0; i < 30; ++i) {
            const int32_t r = t.forward(stream, t.plan);
            other += r != 0 && r != ATTN4J_ERR_INVALID_ARGUMENT;
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    CHECK(attn4j_stream_destroy(0, stream) == 0, "%s", attn4j_last_error_message());
    launcher.join();
    CHECK(other == 0, "launches on a stream destroyed under them failed oddly");
    CHECK(attn4j_stream_destroy(0, stream) == ATTN4J_ERR_INVALID_ARGUMENT, "a stream was destroyed twice");
    CHECK(cudaDeviceSynchronize() == cudaSuccess, "%s", cudaGetErrorString(cudaGetLastError()));
}

void test_no_stale_errors() {
    // An unrelated failed runtime call earlier on this thread must not be reported by the next attention call.
    Attention t;
    CHECK(t.make_plan() == 0, "plan: %s", attn4j_last_error_message());
    cudaFree(reinterpret_cast<void*>(0x1234));  // fails, and leaves cudaErrorInvalidValue as the last error
    const int32_t r = t.forward(0, t.plan);
    CHECK(r == 0, "forward after an unrelated failure: %s: %s", attn4j_error_name(r), attn4j_last_error_message());
    attn4j_stream_synchronize(0, 0);
    CHECK(t.error() < 1e-2, "wrong output");
}

void test_host_copy_bounds() {
    int64_t dst = 0;
    attn4j_malloc(0, 64, &dst);
    std::vector<uint8_t> host(32);
    CHECK(attn4j_memcpy_h2d(0, dst, reinterpret_cast<int64_t>(host.data()), 32, 64, 0) == ATTN4J_ERR_INVALID_ARGUMENT,
          "a copy larger than its host buffer was accepted");
    CHECK(std::string(attn4j_last_error_message()).find("do not fit") != std::string::npos, "%s",
          attn4j_last_error_message());
    std::vector<uint8_t> big(128);
    CHECK(attn4j_memcpy_h2d(0, dst, reinterpret_cast<int64_t>(big.data()), 128, 128, 0) == ATTN4J_ERR_INVALID_ARGUMENT,
          "a copy past the end of its device allocation was accepted");
    CHECK(attn4j_memcpy_d2h(0, reinterpret_cast<int64_t>(host.data()), 32, dst, 64, 0) == ATTN4J_ERR_INVALID_ARGUMENT,
          "a download larger than its host buffer was accepted");
    CHECK(attn4j_memcpy_d2h(0, reinterpret_cast<int64_t>(host.data()), 32, dst + 8, 32, 0) == 0, "%s",
          attn4j_last_error_message());
    attn4j_free(0, dst);
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding with a device KV cache: appends (with growth), block sums, and decode steps against the float64 forward
// reference with the equivalent causal masks.

int64_t device_upload(const std::vector<uint16_t>& bits) {
    int64_t ptr = 0;
    attn4j_malloc(0, static_cast<int64_t>(bits.size()) * 2, &ptr);
    attn4j_memcpy_h2d(0, ptr, reinterpret_cast<int64_t>(bits.data()), static_cast<int64_t>(bits.size()) * 2,
                      static_cast<int64_t>(bits.size()) * 2, 0);
    return ptr;
}

void test_decode() {
    const int B = 2, HKV = 2, HQ = 4, D = 64, BS = 16, NQ = 2;
    const int lengths[B] = {150, 70};
    int64_t desc[ATTN4J_KV_COUNT];
    desc[ATTN4J_KV_BATCH] = B;
    desc[ATTN4J_KV_KV_HEADS] = HKV;
    desc[ATTN4J_KV_HEAD_DIM] = D;
    desc[ATTN4J_KV_VALUE_DIM] = D;
    desc[ATTN4J_KV_DTYPE] = ATTN4J_FP16;
    desc[ATTN4J_KV_CAPACITY] = 100;
    desc[ATTN4J_KV_BLOCK_SIZE] = BS;
    int64_t cache = 0;
    CHECK(attn4j_kv_create(0, desc, ATTN4J_KV_COUNT, &cache) == 0, "kv create: %s", attn4j_last_error_message());
    // keys[b][h][j][c], as the cache's fp16 holds them.
    std::vector<float> keys(static_cast<size_t>(B) * HKV * 150 * D), values(keys.size());
    auto at = [&](int b, int h, int j) { return ((static_cast<size_t>(b) * HKV + h) * 150 + j) * D; };
    // Two appends of up to 80 positions: the second needs the cache to grow.
    int done[B] = {0, 0};
    for (int round = 0; round < 2; ++round) {
        const int T = 80;
        int32_t counts[B], from[B];
        std::vector<uint16_t> kb(static_cast<size_t>(B) * HKV * T * D), vb(kb.size());
        for (int b = 0; b < B; ++b) {
            counts[b] = std::min(T, lengths[b] - done[b]);
            from[b] = done[b];
            for (int h = 0; h < HKV; ++h) {
                for (int t = 0; t < T; ++t) {
                    for (int c = 0; c < D; ++c) {
                        const size_t src = ((static_cast<size_t>(b) * HKV + h) * T + t) * D + c;
                        kb[src] = half_bits(uniform(-1, 1));
                        vb[src] = half_bits(uniform(-1, 1));
                        if (t < counts[b]) {
                            keys[at(b, h, done[b] + t) + c] = emu::half_bits_to_float(kb[src]);
                            values[at(b, h, done[b] + t) + c] = emu::half_bits_to_float(vb[src]);
                        }
                    }
                }
            }
        }
        const int32_t needed = std::max(from[0] + counts[0], from[1] + counts[1]);
        CHECK(attn4j_kv_reserve(cache, needed, 0) == 0, "reserve: %s", attn4j_last_error_message());
        const int64_t k = device_upload(kb), v = device_upload(vb);
        CHECK(attn4j_kv_append(cache, 0, k, v, T, counts, from, B) == 0, "append: %s", attn4j_last_error_message());
        attn4j_free(0, k);
        attn4j_free(0, v);
        for (int b = 0; b < B; ++b) {
            done[b] += counts[b];
        }
    }
    int32_t held[B];
    attn4j_kv_lengths(cache, held, B);
    CHECK(held[0] == 150 && held[1] == 70, "lengths %d %d", held[0], held[1]);
    int32_t stale[B] = {149, 70}, one[B] = {1, 1};
    CHECK(attn4j_kv_append(cache, 0, 0, 0, 1, one, stale, B) == ATTN4J_ERR_INVALID_ARGUMENT,
          "an append from a stale length was accepted");
    // Block sums: float64, in position order, bit for bit.
    std::vector<double> sums(static_cast<size_t>(10) * D);
    CHECK(attn4j_kv_read(cache, ATTN4J_KV_BLOCK_SUMS, 0, 1, 9, reinterpret_cast<int64_t>(sums.data()),
                         static_cast<int64_t>(sums.size()) * 8, 0) == 0,
          "read sums: %s", attn4j_last_error_message());
    int wrong = 0;
    for (int blk = 0; blk < 9; ++blk) {
        for (int c = 0; c < D; ++c) {
            double sum = 0.0;
            for (int j = blk * BS; j < std::min(150, blk * BS + BS); ++j) {
                sum += static_cast<double>(keys[at(0, 1, j) + c]);
            }
            wrong += sums[static_cast<size_t>(blk) * D + c] != sum;
        }
    }
    CHECK(wrong == 0, "%d block sums differ from the ordered float64 sums", wrong);

    std::vector<uint16_t> qb(static_cast<size_t>(B) * HQ * NQ * D);
    std::vector<float> qf(qb.size());
    for (size_t i = 0; i < qb.size(); ++i) {
        qb[i] = half_bits(uniform(-1, 1));
        qf[i] = emu::half_bits_to_float(qb[i]);
    }
    const int64_t q = device_upload(qb);
    int64_t o = 0, lse = 0;
    attn4j_malloc(0, static_cast<int64_t>(B) * HQ * NQ * D * 4, &o);
    attn4j_malloc(0, static_cast<int64_t>(B) * HQ * NQ * 4, &lse);
    struct Setup {
        const char* name;
        int normalizer, windowed, left, global, topk;
    };
    const Setup setups[] = {{"softmax causal", 0, 0, 0, 0, 0},     {"softmax window+global", 0, 1, 40, 3, 0},
                            {"softmax token top-k", 0, 0, 0, 0, 9}, {"sparsemax", 1, 0, 0, 0, 0},
                            {"entmax15 window", 2, 1, 25, 0, 0},    {"entmax15 token top-k", 2, 1, 60, 2, 13}};
    for (const Setup& setup : setups) {
        int64_t a[ATTN4J_DEC_COUNT] = {};
        a[ATTN4J_DEC_CACHE] = cache;
        a[ATTN4J_DEC_Q] = q;
        a[ATTN4J_DEC_O] = o;
        a[ATTN4J_DEC_LSE] = setup.normalizer == 0 ? lse : 0;
        a[ATTN4J_DEC_OUT_DTYPE] = ATTN4J_FP32;
        a[ATTN4J_DEC_Q_HEADS] = HQ;
        a[ATTN4J_DEC_NQ] = NQ;
        double scale = 0.125;
        std::memcpy(&a[ATTN4J_DEC_SCALE_BITS], &scale, 8);
        a[ATTN4J_DEC_NORMALIZER] = setup.normalizer;
        a[ATTN4J_DEC_WINDOWED] = setup.windowed;
        a[ATTN4J_DEC_WINDOW_LEFT] = setup.left;
        a[ATTN4J_DEC_GLOBAL_TOKENS] = setup.global;
        a[ATTN4J_DEC_TOPK_TOKENS] = setup.topk;
        const int32_t r = attn4j_decode(a, ATTN4J_DEC_COUNT, nullptr, 0);
        CHECK(r == 0, "%s: decode: %s", setup.name, attn4j_last_error_message());
        attn4j_stream_synchronize(0, 0);
        std::vector<float> out(static_cast<size_t>(B) * HQ * NQ * D), lses(static_cast<size_t>(B) * HQ * NQ);
        attn4j_memcpy_d2h(0, reinterpret_cast<int64_t>(out.data()), static_cast<int64_t>(out.size()) * 4, o,
                          static_cast<int64_t>(out.size()) * 4, 0);
        attn4j_memcpy_d2h(0, reinterpret_cast<int64_t>(lses.data()), static_cast<int64_t>(lses.size()) * 4, lse,
                          static_cast<int64_t>(lses.size()) * 4, 0);
        for (int b = 0; b < B; ++b) {
            // The decode step of sequence b is the causal forward pass of its NQ queries over its L positions.
            ref::Problem p;
            p.batch = 1;
            p.q_heads = HQ;
            p.kv_heads = HKV;
            p.nq = NQ;
            p.nk = lengths[b];
            p.d = D;
            p.scale = scale;
            p.mask.nq = NQ;
            p.mask.nk = lengths[b];
            p.mask.causal = 1;
            p.mask.windowed = setup.windowed;
            p.mask.left = setup.left;
            p.mask.right = 0;
            p.mask.global = setup.global;
            p.topk_tokens = setup.topk;
            p.normalizer = setup.normalizer;
            p.q.assign(qf.begin() + static_cast<long>(b) * HQ * NQ * D, qf.begin() + static_cast<long>(b + 1) * HQ * NQ * D);
            for (int h = 0; h < HKV; ++h) {
                p.k.insert(p.k.end(), keys.begin() + static_cast<long>(at(b, h, 0)),
                           keys.begin() + static_cast<long>(at(b, h, lengths[b])));
                p.v.insert(p.v.end(), values.begin() + static_cast<long>(at(b, h, 0)),
                           values.begin() + static_cast<long>(at(b, h, lengths[b])));
            }
            const ref::Outputs want = ref::forward(p);
            std::vector<float> got(out.begin() + static_cast<long>(b) * HQ * NQ * D,
                                   out.begin() + static_cast<long>(b + 1) * HQ * NQ * D);
            const double e = ref::relative_error(got, want.o);
            CHECK(e < 1e-2, "%s, sequence %d: O error %g", setup.name, b, e);
            if (setup.normalizer == 0) {
                std::vector<float> got_lse(lses.begin() + static_cast<long>(b) * HQ * NQ,
                                           lses.begin() + static_cast<long>(b + 1) * HQ * NQ);
                const double el = ref::relative_error(got_lse, want.lse);
                CHECK(el < 1e-3, "%s, sequence %d: LSE error %g", setup.name, b, el);
            }
        }
    }
    attn4j_free(0, q);
    attn4j_free(0, o);
    attn4j_free(0, lse);
    CHECK(attn4j_kv_destroy(cache) == 0, "destroy: %s", attn4j_last_error_message());
    CHECK(attn4j_kv_destroy(cache) == ATTN4J_ERR_INVALID_ARGUMENT, "a cache was destroyed twice");
    CHECK(cudaDeviceSynchronize() == cudaSuccess, "%s", cudaGetErrorString(cudaGetLastError()));
}

}  // namespace

int main(int argc, char** argv) {
    // Legacy-stream work waits for a demand (or this delay): long, so the ordering test does not depend on how busy
    // the machine is.
    setenv("ATTN4J_EMU_LEGACY_DELAY_MS", "600000", 0);
    if (argc > 1 && std::string(argv[1]) == "race") {
        // For the ThreadSanitizer build: a kernel with a missing barrier, which ThreadSanitizer must report.
        float* out = nullptr;
        cudaMalloc(reinterpret_cast<void**>(&out), 128 * sizeof(float));
        planted::missing_barrier(out, nullptr);
        cudaDeviceSynchronize();
        std::printf("missing-barrier kernel ran\n");
        return 0;
    }
    // "threads": only the tests of the runtime's threads and handles (the ThreadSanitizer build runs these; it pays
    // about 100 MB of shadow memory set-up per CTA, too slow for the kernel-heavy tests).
    const bool threads_only = argc > 1 && std::string(argv[1]) == "threads";
    if (!threads_only) {
        test_mma_layout(emu::MmaType::F16);
        test_mma_layout(emu::MmaType::BF16);
        test_ldmatrix_layout();
        test_pairings();
        test_builtins();
        test_planted_bugs();
    }
    test_legacy_stream_and_pageable_copies();
    test_events_and_errors();
    test_plan_is_ready_for_every_stream();
    test_plan_destroyed_during_launches();
    test_free_and_destroy_do_not_stall_the_device();
    test_stream_destroyed_during_launches();
    test_no_stale_errors();
    test_host_copy_bounds();
    if (!threads_only) {
        test_decode();
    }
    std::printf("emulator tests: %d checks, %d failed\n", g_checks, g_failures);
    return g_failures == 0 ? 0 : 1;
}
