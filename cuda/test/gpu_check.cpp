// GPU-side check of attn4j's CUDA engine through its C ABI only (no Java), for the machine that has a GPU:
//   gpu_check check    OUT.json   every kernel path against the float64 reference (fp16/bf16, head dims 64/128,
//                                 all masks and normalizers, GQA/MQA, Nq != Nk, LSE, backward); poisoned outputs
//   gpu_check sanitize [OUT [F]]  a short run of every kernel, for compute-sanitizer memcheck / racecheck; F keeps
//                                 only cases whose name contains one of its '|'-separated parts
//   gpu_check bench    OUT.json   forward timings (dense, causal, block-sparse, block top-k, backward)
// Prints one line per case and a summary; exit status 0 when every check passes.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "../include/attn4j_cuda.h"
#include "reference.hpp"

using namespace attn4j;

namespace {

[[noreturn]] void die(const std::string& what, int32_t code) {
    std::fprintf(stderr, "FATAL %s: %s (%d): %s\n", what.c_str(), attn4j_error_name(code), code,
                 attn4j_last_error_message());
    std::exit(2);
}

void ok(int32_t code, const char* what) {
    if (code != 0) {
        die(what, code);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// 16-bit conversions (round to nearest even), as org.attn4j.HalfFloats does.

uint16_t to_half(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    const uint32_t sign = (bits >> 16) & 0x8000u;
    const int32_t exp = static_cast<int32_t>((bits >> 23) & 0xffu);
    const uint32_t mant = bits & 0x7fffffu;
    if (exp == 0xff) {
        return static_cast<uint16_t>(sign | 0x7c00u | (mant ? 0x200u : 0u));
    }
    const int32_t e = exp - 127 + 15;
    if (e >= 0x1f) {
        return static_cast<uint16_t>(sign | 0x7c00u);
    }
    if (e <= 0) {
        if (e < -10) {
            return static_cast<uint16_t>(sign);
        }
        const uint32_t m = mant | 0x800000u;
        const int shift = 14 - e;
        uint32_t half = m >> shift;
        const uint32_t rem = m & ((1u << shift) - 1);
        const uint32_t mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1u))) {
            ++half;
        }
        return static_cast<uint16_t>(sign | half);
    }
    uint32_t half = (static_cast<uint32_t>(e) << 10) | (mant >> 13);
    const uint32_t rem = mant & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (half & 1u))) {
        ++half;
    }
    return static_cast<uint16_t>(sign | half);
}

float from_half(uint16_t h) {
    const uint32_t sign = (h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1fu;
    const uint32_t mant = h & 0x3ffu;
    float f;
    if (exp == 0) {
        f = std::ldexp(static_cast<float>(mant), -24);
        return sign ? -f : f;
    }
    uint32_t bits = exp == 0x1f ? (sign | 0x7f800000u | (mant << 13)) : (sign | ((exp - 15 + 127) << 23) | (mant << 13));
    std::memcpy(&f, &bits, 4);
    return f;
}

uint16_t to_bf16(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    if ((bits & 0x7fffffffu) > 0x7f800000u) {
        return static_cast<uint16_t>((bits >> 16) | 0x40u);
    }
    return static_cast<uint16_t>((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}

float from_bf16(uint16_t b) {
    const uint32_t bits = static_cast<uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

int byte_size(int dtype) {
    return dtype == ATTN4J_FP32 ? 4 : 2;
}

/** Values rounded to dtype, and their bytes. */
std::vector<uint8_t> encode(std::vector<float>& values, int dtype) {
    std::vector<uint8_t> bytes(values.size() * static_cast<size_t>(byte_size(dtype)));
    for (size_t i = 0; i < values.size(); ++i) {
        if (dtype == ATTN4J_FP32) {
            std::memcpy(bytes.data() + 4 * i, &values[i], 4);
        } else {
            const uint16_t h = dtype == ATTN4J_FP16 ? to_half(values[i]) : to_bf16(values[i]);
            values[i] = dtype == ATTN4J_FP16 ? from_half(h) : from_bf16(h);
            std::memcpy(bytes.data() + 2 * i, &h, 2);
        }
    }
    return bytes;
}

std::vector<float> decode(const std::vector<uint8_t>& bytes, int dtype) {
    std::vector<float> out(bytes.size() / static_cast<size_t>(byte_size(dtype)));
    for (size_t i = 0; i < out.size(); ++i) {
        if (dtype == ATTN4J_FP32) {
            std::memcpy(&out[i], bytes.data() + 4 * i, 4);
        } else {
            uint16_t h;
            std::memcpy(&h, bytes.data() + 2 * i, 2);
            out[i] = dtype == ATTN4J_FP16 ? from_half(h) : from_bf16(h);
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------------

/** Fast reproducible values in [-scale, scale) (benchmark tensors have hundreds of millions of elements). */
struct FastRandom {
    uint64_t state;
    explicit FastRandom(uint64_t seed) : state(seed * 0x9E3779B97F4A7C15ull + 1) {}
    float next(float scale) {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        return scale * (static_cast<float>(z >> 40) * (2.0f / 16777216.0f) - 1.0f);
    }
};

struct DeviceBuffer {
    int64_t ptr = 0;
    int64_t bytes = 0;
    DeviceBuffer() = default;
    explicit DeviceBuffer(int64_t n) : bytes(n) {
        ok(attn4j_malloc(0, n, &ptr), "malloc");
    }
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;
    DeviceBuffer(DeviceBuffer&& o) noexcept : ptr(o.ptr), bytes(o.bytes) {
        o.ptr = 0;
    }
    ~DeviceBuffer() {
        if (ptr != 0) {
            attn4j_free(0, ptr);
        }
    }
    void upload(const std::vector<uint8_t>& host) {
        ok(attn4j_memcpy_h2d(0, ptr, reinterpret_cast<int64_t>(host.data()), static_cast<int64_t>(host.size()),
                             static_cast<int64_t>(host.size()), 0),
           "h2d");
    }
    std::vector<uint8_t> download() const {
        std::vector<uint8_t> host(static_cast<size_t>(bytes));
        ok(attn4j_memcpy_d2h(0, reinterpret_cast<int64_t>(host.data()), bytes, ptr, bytes, 0), "d2h");
        return host;
    }
    void poison() {
        ok(attn4j_memset(0, ptr, 0xff, bytes, 0), "memset");  // NaN in every type
    }
};

struct Case {
    std::string name;
    int dtype = ATTN4J_BF16, out_dtype = -1;
    int batch = 1, q_heads = 2, kv_heads = 2, nq = 130, nk = 130, d = 64;
    int causal = 0, windowed = 0, left = 0, right = 0, global = 0;
    int block = 0, block_bq = 64, block_bk = 64;  // 0 none, 1 broadcast, 2 per batch and head
    double block_density = 0.5;
    int topk_blocks = 0, topk_bq = 64, topk_bk = 64;
    int topk_tokens = 0;
    int normalizer = 0;
    bool backward = false;
    bool lse_given = true;
    int do_dtype = -1;
};

struct Problem {
    Case c;
    ref::Problem p;
    std::vector<uint8_t> cells;
    std::vector<uint8_t> q_bytes, k_bytes, v_bytes;
    int64_t plan = 0;

    explicit Problem(const Case& cc, uint64_t seed) : c(cc) {
        std::mt19937_64 rng(seed);
        FastRandom fast(seed);
        p.batch = c.batch;
        p.q_heads = c.q_heads;
        p.kv_heads = c.kv_heads;
        p.nq = c.nq;
        p.nk = c.nk;
        p.d = c.d;
        p.scale = 1.0 / std::sqrt(static_cast<double>(c.d));
        p.mask.nq = c.nq;
        p.mask.nk = c.nk;
        p.mask.causal = c.causal;
        p.mask.windowed = c.windowed;
        p.mask.left = c.left;
        p.mask.right = c.right;
        p.mask.global = c.global;
        p.topk_blocks = c.topk_blocks;
        p.topk_bq = c.topk_bq;
        p.topk_bk = c.topk_bk;
        p.topk_tokens = c.topk_tokens;
        p.normalizer = c.normalizer;
        if (c.block) {
            const int mb = c.block == 2 ? c.batch : 1, mh = c.block == 2 ? c.q_heads : 1;
            const int qb = (c.nq + c.block_bq - 1) / c.block_bq, kb = (c.nk + c.block_bk - 1) / c.block_bk;
            cells.resize(static_cast<size_t>(mb) * mh * qb * kb);
            std::bernoulli_distribution on(c.block_density);
            for (auto& x : cells) {
                x = on(rng) ? 1 : 0;
            }
            p.has_block = true;
            p.block = CellGrid{cells.data(), mb, mh, qb, kb, c.block_bq, c.block_bk};
        }
        p.q.resize(static_cast<size_t>(c.batch) * c.q_heads * c.nq * c.d);
        p.k.resize(static_cast<size_t>(c.batch) * c.kv_heads * c.nk * c.d);
        p.v.resize(p.k.size());
        // Uniform on [-a, a) with the spread of N(0, 1.5^2) for q, k and N(0, 1) for v.
        for (auto& x : p.q) x = fast.next(2.6f);
        for (auto& x : p.k) x = fast.next(2.6f);
        for (auto& x : p.v) x = fast.next(1.73f);
        q_bytes = encode(p.q, c.dtype);
        k_bytes = encode(p.k, c.dtype);
        v_bytes = encode(p.v, c.dtype);
        std::vector<int64_t> desc(ATTN4J_PLAN_COUNT, 0);
        desc[ATTN4J_PLAN_NQ] = c.nq;
        desc[ATTN4J_PLAN_NK] = c.nk;
        desc[ATTN4J_PLAN_BATCH] = c.batch;
        desc[ATTN4J_PLAN_Q_HEADS] = c.q_heads;
        desc[ATTN4J_PLAN_KV_HEADS] = c.kv_heads;
        desc[ATTN4J_PLAN_CAUSAL] = c.causal;
        desc[ATTN4J_PLAN_WINDOWED] = c.windowed;
        desc[ATTN4J_PLAN_WINDOW_LEFT] = c.left;
        desc[ATTN4J_PLAN_WINDOW_RIGHT] = c.right;
        desc[ATTN4J_PLAN_GLOBAL_TOKENS] = c.global;
        desc[ATTN4J_PLAN_HAS_BLOCK_MASK] = c.block ? 1 : 0;
        desc[ATTN4J_PLAN_BLOCK_BATCH] = c.block ? p.block.mb : 1;
        desc[ATTN4J_PLAN_BLOCK_HEADS] = c.block ? p.block.mh : 1;
        desc[ATTN4J_PLAN_BLOCK_QBLOCKS] = c.block ? p.block.qblocks : 0;
        desc[ATTN4J_PLAN_BLOCK_KBLOCKS] = c.block ? p.block.kblocks : 0;
        desc[ATTN4J_PLAN_BLOCK_BQ] = c.block_bq;
        desc[ATTN4J_PLAN_BLOCK_BK] = c.block_bk;
        desc[ATTN4J_PLAN_TOPK_BQ] = c.topk_blocks ? c.topk_bq : 0;
        desc[ATTN4J_PLAN_TOPK_BK] = c.topk_blocks ? c.topk_bk : 0;
        ok(attn4j_plan_create(0, desc.data(), ATTN4J_PLAN_COUNT, cells.empty() ? nullptr : cells.data(),
                              static_cast<int64_t>(cells.size()), &plan),
           "plan_create");
    }
    ~Problem() {
        if (plan != 0) {
            attn4j_plan_destroy(plan);
        }
    }

    int out_dtype() const {
        return c.out_dtype >= 0 ? c.out_dtype : c.dtype;
    }

    std::vector<int64_t> forward_args(const DeviceBuffer& q, const DeviceBuffer& k, const DeviceBuffer& v,
                                      const DeviceBuffer& o, const DeviceBuffer* lse) const {
        std::vector<int64_t> a(ATTN4J_FWD_COUNT, 0);
        a[ATTN4J_FWD_PLAN] = plan;
        a[ATTN4J_FWD_Q] = q.ptr;
        a[ATTN4J_FWD_K] = k.ptr;
        a[ATTN4J_FWD_V] = v.ptr;
        a[ATTN4J_FWD_O] = o.ptr;
        a[ATTN4J_FWD_LSE] = lse != nullptr ? lse->ptr : 0;
        a[ATTN4J_FWD_DTYPE] = c.dtype;
        a[ATTN4J_FWD_OUT_DTYPE] = out_dtype();
        a[ATTN4J_FWD_BATCH] = c.batch;
        a[ATTN4J_FWD_Q_HEADS] = c.q_heads;
        a[ATTN4J_FWD_KV_HEADS] = c.kv_heads;
        a[ATTN4J_FWD_NQ] = c.nq;
        a[ATTN4J_FWD_NK] = c.nk;
        a[ATTN4J_FWD_HEAD_DIM] = c.d;
        a[ATTN4J_FWD_VALUE_DIM] = c.d;
        std::memcpy(&a[ATTN4J_FWD_SCALE_BITS], &p.scale, 8);
        a[ATTN4J_FWD_NORMALIZER] = c.normalizer;
        a[ATTN4J_FWD_TOPK_BLOCKS] = c.topk_blocks;
        a[ATTN4J_FWD_TOPK_TOKENS] = c.topk_tokens;
        return a;
    }
};

struct Result {
    std::string name;
    bool passed = true;
    double o_error = 0, lse_error = 0, dq_error = 0, dk_error = 0, dv_error = 0;
    std::string note;
};

Result run_case(const Case& c, uint64_t seed, bool compare) {
    Result r;
    r.name = c.name;
    Problem pr(c, seed);
    const int64_t q_elems = static_cast<int64_t>(pr.p.q.size());
    const int64_t rows = static_cast<int64_t>(c.batch) * c.q_heads * c.nq;
    DeviceBuffer q(static_cast<int64_t>(pr.q_bytes.size())), k(static_cast<int64_t>(pr.k_bytes.size())),
            v(static_cast<int64_t>(pr.v_bytes.size()));
    q.upload(pr.q_bytes);
    k.upload(pr.k_bytes);
    v.upload(pr.v_bytes);
    DeviceBuffer o(q_elems * byte_size(pr.out_dtype())), lse(4 * rows);
    o.poison();
    lse.poison();
    const bool softmax = c.normalizer == 0;
    std::vector<int64_t> args = pr.forward_args(q, k, v, o, softmax ? &lse : nullptr);
    ok(attn4j_forward(args.data(), ATTN4J_FWD_COUNT), "forward");
    ok(attn4j_stream_synchronize(0, 0), "synchronize after forward");
    const std::vector<float> got_o = decode(o.download(), pr.out_dtype());
    const std::vector<float> got_lse = decode(lse.download(), ATTN4J_FP32);
    // Same inputs, same bits: a second run must agree exactly (a moving result is a race).
    DeviceBuffer o2(o.bytes);
    o2.poison();
    args[ATTN4J_FWD_O] = o2.ptr;
    args[ATTN4J_FWD_LSE] = 0;
    ok(attn4j_forward(args.data(), ATTN4J_FWD_COUNT), "forward (repeat)");
    ok(attn4j_stream_synchronize(0, 0), "synchronize after repeat");
    if (o2.download() != o.download()) {
        r.passed = false;
        r.note += "forward not deterministic; ";
    }
    if (compare) {
        const ref::Outputs want = ref::forward(pr.p);
        r.o_error = ref::relative_error(got_o, want.o);
        if (!(r.o_error < 1e-2)) {
            r.passed = false;
            r.note += "O error; ";
        }
        if (softmax) {
            for (size_t t = 0; t < want.lse.size(); ++t) {
                if (std::isinf(want.lse[t])) {
                    if (!(std::isinf(got_lse[t]) && got_lse[t] < 0)) {
                        r.passed = false;
                        r.note += "LSE of an empty row is not -inf; ";
                        break;
                    }
                } else {
                    r.lse_error = std::max(r.lse_error, std::fabs(got_lse[t] - want.lse[t]) / (1 + std::fabs(want.lse[t])));
                }
            }
            if (!(r.lse_error < 1e-2)) {
                r.passed = false;
                r.note += "LSE error; ";
            }
        }
    }
    if (c.backward) {
        const int do_dtype = c.do_dtype >= 0 ? c.do_dtype : c.dtype;
        std::mt19937_64 rng(seed ^ 0x5eed);
        std::normal_distribution<float> g(0.0f, 1.0f);
        std::vector<float> d_o(static_cast<size_t>(q_elems));
        for (auto& x : d_o) x = g(rng);
        const std::vector<uint8_t> do_bytes = encode(d_o, do_dtype);
        DeviceBuffer dob(static_cast<int64_t>(do_bytes.size()));
        dob.upload(do_bytes);
        DeviceBuffer dq(q.bytes), dk(k.bytes), dv(v.bytes);
        dq.poison();
        dk.poison();
        dv.poison();
        std::vector<int64_t> b(ATTN4J_BWD_COUNT, 0);
        b[ATTN4J_BWD_PLAN] = pr.plan;
        b[ATTN4J_BWD_Q] = q.ptr;
        b[ATTN4J_BWD_K] = k.ptr;
        b[ATTN4J_BWD_V] = v.ptr;
        b[ATTN4J_BWD_O] = o.ptr;
        b[ATTN4J_BWD_DO] = dob.ptr;
        b[ATTN4J_BWD_LSE] = c.lse_given ? lse.ptr : 0;
        b[ATTN4J_BWD_DQ] = dq.ptr;
        b[ATTN4J_BWD_DK] = dk.ptr;
        b[ATTN4J_BWD_DV] = dv.ptr;
        b[ATTN4J_BWD_DTYPE] = c.dtype;
        b[ATTN4J_BWD_O_DTYPE] = pr.out_dtype();
        b[ATTN4J_BWD_DO_DTYPE] = do_dtype;
        b[ATTN4J_BWD_BATCH] = c.batch;
        b[ATTN4J_BWD_Q_HEADS] = c.q_heads;
        b[ATTN4J_BWD_KV_HEADS] = c.kv_heads;
        b[ATTN4J_BWD_NQ] = c.nq;
        b[ATTN4J_BWD_NK] = c.nk;
        b[ATTN4J_BWD_HEAD_DIM] = c.d;
        b[ATTN4J_BWD_VALUE_DIM] = c.d;
        std::memcpy(&b[ATTN4J_BWD_SCALE_BITS], &pr.p.scale, 8);
        ok(attn4j_backward(b.data(), ATTN4J_BWD_COUNT), "backward");
        ok(attn4j_stream_synchronize(0, 0), "synchronize after backward");
        if (compare) {
            const ref::Gradients want = ref::backward(pr.p, d_o);
            r.dq_error = ref::relative_error(decode(dq.download(), c.dtype), want.dq);
            r.dk_error = ref::relative_error(decode(dk.download(), c.dtype), want.dk);
            r.dv_error = ref::relative_error(decode(dv.download(), c.dtype), want.dv);
            if (!(r.dq_error < 2e-2 && r.dk_error < 2e-2 && r.dv_error < 2e-2)) {
                r.passed = false;
                r.note += "gradient error; ";
            }
        }
    }
    return r;
}

std::vector<Case> check_cases(bool small) {
    std::vector<Case> cases;
    for (int dtype : {ATTN4J_FP16, ATTN4J_BF16}) {
        for (int d : {64, 128}) {
            const std::string t = std::string(dtype == ATTN4J_FP16 ? "fp16" : "bf16") + " d" + std::to_string(d) + " ";
            Case c;
            c.dtype = dtype;
            c.d = d;
            auto add = [&](const std::string& name, auto&& edit) {
                Case x = c;
                x.name = t + name;
                edit(x);
                if (small) {
                    x.nq = std::min(x.nq, 80);
                    x.nk = std::min(x.nk, 100);
                    x.batch = 1;
                }
                cases.push_back(x);
            };
            add("dense", [](Case&) {});
            add("dense nq!=nk fp32 out", [](Case& x) { x.nq = 77; x.nk = 200; x.out_dtype = ATTN4J_FP32; });
            add("causal gqa", [](Case& x) { x.batch = 2; x.q_heads = 4; x.kv_heads = 2; x.nq = 190; x.nk = 190; x.causal = 1; });
            add("causal mqa decode", [](Case& x) { x.q_heads = 4; x.kv_heads = 1; x.nq = 1; x.nk = 300; x.causal = 1; });
            add("causal nq>nk (empty rows)", [](Case& x) { x.nq = 160; x.nk = 70; x.causal = 1; });
            add("window+global", [](Case& x) { x.nq = 260; x.nk = 260; x.causal = 1; x.windowed = 1; x.left = 70; x.global = 5; });
            add("window two-sided", [](Case& x) { x.nq = 150; x.nk = 230; x.windowed = 1; x.left = 40; x.right = 33; });
            add("block mask per head", [](Case& x) { x.batch = 2; x.nq = 200; x.nk = 260; x.block = 2; x.block_bq = 48; x.block_bk = 80; });
            add("block mask + causal", [](Case& x) { x.nq = 256; x.nk = 256; x.causal = 1; x.block = 1; });
            add("block top-k", [](Case& x) { x.nq = 256; x.nk = 320; x.topk_blocks = 2; });
            add("block top-k unaligned causal", [](Case& x) { x.nq = 250; x.nk = 250; x.causal = 1; x.topk_blocks = 3; x.topk_bq = 48; x.topk_bk = 40; });
            add("token top-k", [](Case& x) { x.nq = 100; x.nk = 300; x.topk_tokens = 17; });
            add("token top-k + window", [](Case& x) { x.nq = 200; x.nk = 200; x.windowed = 1; x.left = 60; x.right = 10; x.topk_tokens = 25; });
            add("sparsemax", [](Case& x) { x.nq = 140; x.nk = 220; x.normalizer = ATTN4J_SPARSEMAX; });
            add("entmax15 causal", [](Case& x) { x.nq = 200; x.nk = 200; x.causal = 1; x.normalizer = ATTN4J_ENTMAX15; });
            add("entmax15 + token top-k + block", [](Case& x) { x.nq = 130; x.nk = 190; x.block = 1; x.block_bq = 32; x.block_bk = 32; x.topk_tokens = 9; x.normalizer = ATTN4J_ENTMAX15; });
            add("sparsemax + block top-k", [](Case& x) { x.nq = 200; x.nk = 200; x.causal = 1; x.topk_blocks = 2; x.normalizer = ATTN4J_SPARSEMAX; });
            add("backward dense", [](Case& x) { x.nq = 150; x.nk = 170; x.backward = true; });
            add("backward causal gqa", [](Case& x) { x.q_heads = 4; x.kv_heads = 2; x.nq = 200; x.nk = 200; x.causal = 1; x.backward = true; });
            add("backward window+global no lse", [](Case& x) { x.nq = 190; x.nk = 190; x.windowed = 1; x.left = 50; x.right = 5; x.global = 3; x.backward = true; x.lse_given = false; });
            add("backward block mask fp32 out/dO", [](Case& x) { x.nq = 160; x.nk = 200; x.block = 2; x.block_bq = 32; x.block_bk = 64; x.backward = true; x.out_dtype = ATTN4J_FP32; x.do_dtype = ATTN4J_FP32; });
            add("backward causal nq>nk", [](Case& x) { x.nq = 130; x.nk = 70; x.causal = 1; x.backward = true; });
        }
    }
    return cases;
}

// ---------------------------------------------------------------------------------------------------------------

struct Timer {
    int64_t start = 0, stop = 0, selected = 0;
    Timer() {
        ok(attn4j_event_create(0, &start), "event");
        ok(attn4j_event_create(0, &stop), "event");
        ok(attn4j_event_create(0, &selected), "event");
    }
    ~Timer() {
        attn4j_event_destroy(0, start);
        attn4j_event_destroy(0, stop);
        attn4j_event_destroy(0, selected);
    }
};

/** A JSON number, or null when not finite (JSON has no inf/NaN). */
std::string json_number(double x, const char* format = "%.6g") {
    if (!std::isfinite(x)) {
        return "null";
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, format, x);
    return buf;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

struct BenchRow {
    std::string name;
    int batch, heads, seq, d, causal;
    double density;
    double ms, tflops, dense_equiv_tflops, select_ms;
};

/** Allowed pairs of a uniform (no block mask) mask over one head, counted exactly. */
double allowed_pairs(const MaskParams& m) {
    double total = 0;
    for (int64_t i = 0; i < m.nq; ++i) {
        int64_t iv[4];
        const int n = row_intervals(m, i, iv);
        for (int t = 0; t < n; ++t) total += static_cast<double>(iv[2 * t + 1] - iv[2 * t]);
    }
    return total;
}

BenchRow bench_forward(const std::string& name, int batch, int heads, int seq, int d, int causal, int block_cells_q,
                       double density, int topk_blocks, int reps) {
    Case c;
    c.name = name;
    c.dtype = ATTN4J_BF16;
    c.batch = batch;
    c.q_heads = heads;
    c.kv_heads = heads;
    c.nq = seq;
    c.nk = seq;
    c.d = d;
    c.causal = causal;
    if (block_cells_q > 0) {
        c.block = 1;
        c.block_bq = block_cells_q;
        c.block_bk = block_cells_q;
        c.block_density = density;
    }
    c.topk_blocks = topk_blocks;
    c.topk_bq = 64;
    c.topk_bk = 64;
    Problem pr(c, 1234);
    DeviceBuffer q(static_cast<int64_t>(pr.q_bytes.size())), k(static_cast<int64_t>(pr.k_bytes.size())),
            v(static_cast<int64_t>(pr.v_bytes.size()));
    q.upload(pr.q_bytes);
    k.upload(pr.k_bytes);
    v.upload(pr.v_bytes);
    DeviceBuffer o(q.bytes);
    std::vector<int64_t> args = pr.forward_args(q, k, v, o, nullptr);
    Timer t;
    args[ATTN4J_FWD_EVENT_START] = t.start;
    args[ATTN4J_FWD_EVENT_STOP] = t.stop;
    args[ATTN4J_FWD_EVENT_SELECTED] = topk_blocks > 0 ? t.selected : 0;
    std::vector<double> ms, sel_ms;
    for (int it = 0; it < reps + 3; ++it) {
        ok(attn4j_forward(args.data(), ATTN4J_FWD_COUNT), "forward");
        ok(attn4j_event_synchronize(0, t.stop), "event sync");
        float e = 0;
        ok(attn4j_event_elapsed_ms(0, t.start, t.stop, &e), "elapsed");
        if (it >= 3) {
            ms.push_back(e);
            if (topk_blocks > 0) {
                float s = 0;
                ok(attn4j_event_elapsed_ms(0, t.start, t.selected, &s), "elapsed");
                sel_ms.push_back(s);
            }
        }
    }
    BenchRow r;
    r.name = name;
    r.batch = batch;
    r.heads = heads;
    r.seq = seq;
    r.d = d;
    r.causal = causal;
    r.ms = median(ms);
    r.select_ms = sel_ms.empty() ? 0 : median(sel_ms);
    const double dense_pairs = static_cast<double>(seq) * seq;
    double pairs = allowed_pairs(pr.p.mask);
    if (c.block) {
        // Fraction of block cells on (broadcast mask), applied to the static pairs.
        double on = 0;
        for (uint8_t x : pr.cells) on += x;
        pairs *= on / static_cast<double>(pr.cells.size());
    }
    if (topk_blocks > 0) {
        pairs = std::min(pairs, static_cast<double>(seq) * topk_blocks * 64.0);
    }
    r.density = pairs / dense_pairs;
    const double flops = 4.0 * batch * heads * pairs * d;
    r.tflops = flops / (r.ms * 1e-3) / 1e12;
    r.dense_equiv_tflops = 4.0 * batch * heads * dense_pairs * d / (r.ms * 1e-3) / 1e12;
    return r;
}

void write_bench(const char* path, const std::vector<BenchRow>& rows, const char* device) {
    FILE* f = std::fopen(path, "w");
    if (f == nullptr) {
        return;
    }
    std::fprintf(f, "{\n  \"device\": \"%s\",\n  \"dtype\": \"bf16\",\n  \"rows\": [\n", device);
    for (size_t i = 0; i < rows.size(); ++i) {
        const BenchRow& r = rows[i];
        std::fprintf(f,
                     "    {\"name\": \"%s\", \"batch\": %d, \"heads\": %d, \"seq\": %d, \"head_dim\": %d, \"causal\": %d, "
                     "\"density\": %s, \"ms\": %s, \"tflops\": %s, \"dense_equiv_tflops\": %s, \"select_ms\": %s}%s\n",
                     r.name.c_str(), r.batch, r.heads, r.seq, r.d, r.causal, json_number(r.density).c_str(),
                     json_number(r.ms).c_str(), json_number(r.tflops).c_str(), json_number(r.dense_equiv_tflops).c_str(),
                     json_number(r.select_ms).c_str(), i + 1 < rows.size() ? "," : "");
    }
    std::fprintf(f, "  ]\n}\n");
    std::fclose(f);
}

std::string device_name() {
    int32_t major = 0, minor = 0, sms = 0;
    int64_t mem = 0, smem = 0;
    char name[256] = {0};
    ok(attn4j_device_properties(0, &major, &minor, &sms, &mem, &smem, name, sizeof name), "device properties");
    int32_t driver = 0;
    attn4j_driver_version(&driver);
    return std::string(name) + " (sm_" + std::to_string(major) + std::to_string(minor) + ", " + std::to_string(sms)
           + " SMs, driver CUDA " + std::to_string(driver / 1000) + "." + std::to_string(driver % 1000 / 10) + ")";
}

int run_bench(const char* out) {
    const std::string dev = device_name();
    std::printf("device: %s\n", dev.c_str());
    std::vector<BenchRow> rows;
    const int reps = 10;
    for (int d : {64, 128}) {
        const int heads = 2048 / d;
        for (int seq : {4096, 8192, 16384}) {
            for (int causal : {0, 1}) {
                rows.push_back(bench_forward("dense", 16384 / seq, heads, seq, d, causal, 0, 1.0, 0, reps));
            }
        }
    }
    for (double density : {0.1, 0.25, 0.5}) {
        rows.push_back(bench_forward("block-sparse", 2, 16, 8192, 128, 0, 128, density, 0, reps));
    }
    rows.push_back(bench_forward("block top-k 25%", 2, 16, 8192, 128, 0, 0, 1.0, 32, reps));
    std::printf("%-16s %5s %5s %6s %4s %6s %8s %9s %9s %9s\n", "case", "B", "H", "S", "D", "causal", "density", "ms",
                "TFLOP/s", "dense-eq");
    for (const BenchRow& r : rows) {
        std::printf("%-16s %5d %5d %6d %4d %6d %8.3f %9.3f %9.1f %9.1f%s\n", r.name.c_str(), r.batch, r.heads, r.seq, r.d,
                    r.causal, r.density, r.ms, r.tflops, r.dense_equiv_tflops,
                    r.select_ms > 0 ? (" select " + std::to_string(r.select_ms) + " ms").c_str() : "");
    }
    if (out != nullptr) {
        write_bench(out, rows, dev.c_str());
    }
    return 0;
}

bool selected(const std::string& name, const std::string& filter) {
    if (filter.empty()) {
        return true;
    }
    size_t at = 0;
    while (at <= filter.size()) {
        const size_t bar = filter.find('|', at);
        const std::string part = filter.substr(at, bar == std::string::npos ? std::string::npos : bar - at);
        if (!part.empty() && name.find(part) != std::string::npos) {
            return true;
        }
        if (bar == std::string::npos) {
            break;
        }
        at = bar + 1;
    }
    return false;
}

int run_checks(const char* out, bool small, bool compare, const std::string& filter) {
    const std::string dev = device_name();
    std::printf("device: %s\n", dev.c_str());
    std::vector<Result> results;
    int failed = 0;
    uint64_t seed = 17;
    for (const Case& c : check_cases(small)) {
        if (!selected(c.name, filter)) {
            ++seed;
            continue;
        }
        const Result r = run_case(c, seed++, compare);
        results.push_back(r);
        failed += r.passed ? 0 : 1;
        std::printf("%-4s %-44s O %.2e  LSE %.2e  dQ %.2e  dK %.2e  dV %.2e  %s\n", r.passed ? "ok" : "FAIL",
                    r.name.c_str(), r.o_error, r.lse_error, r.dq_error, r.dk_error, r.dv_error, r.note.c_str());
        std::fflush(stdout);
    }
    if (out != nullptr) {
        FILE* f = std::fopen(out, "w");
        if (f != nullptr) {
            std::fprintf(f, "{\n  \"device\": \"%s\",\n  \"failed\": %d,\n  \"cases\": [\n", dev.c_str(), failed);
            for (size_t i = 0; i < results.size(); ++i) {
                const Result& r = results[i];
                std::fprintf(f,
                             "    {\"name\": \"%s\", \"passed\": %s, \"o\": %s, \"lse\": %s, \"dq\": %s, \"dk\": %s, "
                             "\"dv\": %s, \"note\": \"%s\"}%s\n",
                             r.name.c_str(), r.passed ? "true" : "false", json_number(r.o_error).c_str(),
                             json_number(r.lse_error).c_str(), json_number(r.dq_error).c_str(),
                             json_number(r.dk_error).c_str(), json_number(r.dv_error).c_str(), r.note.c_str(),
                             i + 1 < results.size() ? "," : "");
            }
            std::fprintf(f, "  ]\n}\n");
            std::fclose(f);
        }
    }
    std::printf("%zu cases, %d failed\n", results.size(), failed);
    return failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "check";
    const char* out = argc > 2 && argv[2][0] != '\0' ? argv[2] : nullptr;
    const std::string filter = argc > 3 ? argv[3] : "";
    int32_t count = 0;
    const int32_t e = attn4j_device_count(&count);
    if (e != 0 || count == 0) {
        std::fprintf(stderr, "no usable CUDA device: %s (%d): %s\n", attn4j_error_name(e), e,
                     attn4j_last_error_message());
        return 3;
    }
    if (mode == "check") {
        return run_checks(out, false, true, filter);
    }
    if (mode == "sanitize") {
        return run_checks(out, true, false, filter);
    }
    if (mode == "bench") {
        return run_bench(out);
    }
    std::fprintf(stderr, "usage: gpu_check check|sanitize|bench [OUT.json [FILTER]]\n");
    return 2;
}
