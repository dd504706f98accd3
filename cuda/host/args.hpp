// Decoding and validation of the C ABI's argument vectors (include/attn4j_cuda.h). Runs before any CUDA call, so a
// bad request becomes an error code and a message naming the field, never a launch with bad pointers or sizes.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "../include/attn4j_cuda.h"

namespace attn4j {

/** The parts of a mask plan the attention calls check their arguments against. */
struct PlanSummary {
    int32_t device = 0;
    int32_t nq = 0;
    int32_t nk = 0;
    int32_t batch = 0;
    int32_t q_heads = 0;
    int32_t kv_heads = 0;
    int32_t topk_bq = 0;
    int32_t topk_bk = 0;
};

struct ForwardArgs {
    int32_t device = 0;
    int64_t stream = 0, plan = 0, q = 0, k = 0, v = 0, o = 0, lse = 0;
    int32_t dtype = 0, out_dtype = 0;
    int32_t batch = 0, q_heads = 0, kv_heads = 0, nq = 0, nk = 0, head_dim = 0, value_dim = 0;
    double scale = 0.0;
    int32_t normalizer = 0;
    int32_t topk_blocks = 0, topk_tokens = 0;
    int64_t event_start = 0, event_stop = 0;
    int64_t event_selected = 0, event_thresholds = 0;
};

struct BackwardArgs {
    int32_t device = 0;
    int64_t stream = 0, plan = 0, q = 0, k = 0, v = 0, o = 0, d_o = 0, lse = 0, dq = 0, dk = 0, dv = 0;
    int32_t dtype = 0, o_dtype = 0, do_dtype = 0;
    int32_t batch = 0, q_heads = 0, kv_heads = 0, nq = 0, nk = 0, head_dim = 0, value_dim = 0;
    double scale = 0.0;
    int32_t normalizer = 0;
    int64_t event_start = 0, event_stop = 0;
};

/** Outcome of a validation: code 0 or an ATTN4J_ERR_* value, and the message naming the field. */
struct Check {
    int32_t code = ATTN4J_OK;
    std::string message;

    bool ok() const {
        return code == ATTN4J_OK;
    }
    static Check fail(int32_t code, std::string message) {
        Check c;
        c.code = code;
        c.message = std::move(message);
        return c;
    }
};

namespace detail {

inline double double_from_bits(int64_t bits) {
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
}

/** Reads args[index] as an int32 in [lo, hi], or records the first failure. */
struct Reader {
    const int64_t* args;
    Check check;

    int32_t int32(int index, const char* field, int64_t lo, int64_t hi) {
        const int64_t v = args[index];
        if (check.ok() && (v < lo || v > hi)) {
            check = Check::fail(ATTN4J_ERR_INVALID_ARGUMENT, std::string(field) + ": expected " + std::to_string(lo)
                                + ".." + std::to_string(hi) + ", got " + std::to_string(v));
        }
        return static_cast<int32_t>(v < lo ? lo : (v > hi ? hi : v));
    }

    int64_t pointer(int index, const char* field, bool required, int64_t alignment) {
        const int64_t v = args[index];
        if (check.ok() && required && v == 0) {
            check = Check::fail(ATTN4J_ERR_INVALID_ARGUMENT, std::string(field) + ": expected a device pointer, got 0");
        }
        if (check.ok() && v != 0 && (v % alignment) != 0) {
            check = Check::fail(ATTN4J_ERR_INVALID_ARGUMENT, std::string(field) + ": expected a " + std::to_string(alignment)
                                + "-byte aligned address, got " + std::to_string(v));
        }
        return v;
    }

    void require(bool ok, int32_t code, const std::string& message) {
        if (check.ok() && !ok) {
            check = Check::fail(code, message);
        }
    }
};

constexpr int64_t kMaxInt = 2147483647;

inline bool supported_head_dim(int32_t d) {
    return d == 64 || d == 128;
}

}  // namespace detail

inline Check decode_forward(const int64_t* args, int32_t count, ForwardArgs& a) {
    if (args == nullptr || count != ATTN4J_FWD_COUNT) {
        return Check::fail(ATTN4J_ERR_INVALID_ARGUMENT, "forward arguments: expected " + std::to_string(ATTN4J_FWD_COUNT)
                           + " values (ABI version " + std::to_string(ATTN4J_ABI_VERSION) + "), got "
                           + std::to_string(count));
    }
    detail::Reader r{args, Check()};
    using detail::kMaxInt;
    a.device = r.int32(ATTN4J_FWD_DEVICE, "device", 0, 1024);
    a.stream = args[ATTN4J_FWD_STREAM];
    a.plan = args[ATTN4J_FWD_PLAN];
    r.require(a.plan != 0, ATTN4J_ERR_INVALID_ARGUMENT, "plan: expected a plan handle, got 0");
    a.q = r.pointer(ATTN4J_FWD_Q, "q", true, 16);
    a.k = r.pointer(ATTN4J_FWD_K, "k", true, 16);
    a.v = r.pointer(ATTN4J_FWD_V, "v", true, 16);
    a.o = r.pointer(ATTN4J_FWD_O, "output", true, 16);
    a.lse = r.pointer(ATTN4J_FWD_LSE, "lse", false, 4);
    a.dtype = r.int32(ATTN4J_FWD_DTYPE, "dtype (1 fp16, 2 bf16)", ATTN4J_FP16, ATTN4J_BF16);
    a.out_dtype = r.int32(ATTN4J_FWD_OUT_DTYPE, "output dtype (0 fp32, 1 fp16, 2 bf16)", ATTN4J_FP32, ATTN4J_BF16);
    a.batch = r.int32(ATTN4J_FWD_BATCH, "batch", 1, kMaxInt);
    a.q_heads = r.int32(ATTN4J_FWD_Q_HEADS, "query heads", 1, kMaxInt);
    a.kv_heads = r.int32(ATTN4J_FWD_KV_HEADS, "kv heads", 1, kMaxInt);
    a.nq = r.int32(ATTN4J_FWD_NQ, "query length", 1, kMaxInt);
    a.nk = r.int32(ATTN4J_FWD_NK, "key length", 1, kMaxInt);
    a.head_dim = r.int32(ATTN4J_FWD_HEAD_DIM, "head dim", 1, kMaxInt);
    a.value_dim = r.int32(ATTN4J_FWD_VALUE_DIM, "value dim", 1, kMaxInt);
    a.scale = detail::double_from_bits(args[ATTN4J_FWD_SCALE_BITS]);
    a.normalizer = r.int32(ATTN4J_FWD_NORMALIZER, "normalizer (0 softmax, 1 sparsemax, 2 entmax15)", 0, 2);
    a.topk_blocks = r.int32(ATTN4J_FWD_TOPK_BLOCKS, "block top-k k", 0, kMaxInt);
    a.topk_tokens = r.int32(ATTN4J_FWD_TOPK_TOKENS, "token top-k k", 0, kMaxInt);
    a.event_start = args[ATTN4J_FWD_EVENT_START];
    a.event_stop = args[ATTN4J_FWD_EVENT_STOP];
    a.event_selected = args[ATTN4J_FWD_EVENT_SELECTED];
    a.event_thresholds = args[ATTN4J_FWD_EVENT_THRESHOLDS];
    r.require((a.event_start == 0) == (a.event_stop == 0), ATTN4J_ERR_INVALID_ARGUMENT,
              "events: expected both start and stop, or neither");
    return r.check;
}

/** Everything about a decoded forward call that can be checked without the GPU. */
inline Check validate_forward(const ForwardArgs& a, const PlanSummary* plan) {
    detail::Reader r{nullptr, Check()};
    r.require(a.q_heads % a.kv_heads == 0, ATTN4J_ERR_INVALID_ARGUMENT,
              "kv heads: expected a divisor of the query heads (" + std::to_string(a.q_heads) + "), got "
              + std::to_string(a.kv_heads));
    r.require(std::isfinite(a.scale) && std::isfinite(static_cast<float>(a.scale)), ATTN4J_ERR_INVALID_ARGUMENT,
              "scale: expected a finite number (also as fp32)");
    r.require(detail::supported_head_dim(a.head_dim), ATTN4J_ERR_UNSUPPORTED,
              "head dim: expected 64 or 128, got " + std::to_string(a.head_dim));
    r.require(a.value_dim == a.head_dim, ATTN4J_ERR_UNSUPPORTED,
              "value dim: expected equal to the head dim (" + std::to_string(a.head_dim) + "), got "
              + std::to_string(a.value_dim));
    r.require(a.lse == 0 || a.normalizer == ATTN4J_SOFTMAX, ATTN4J_ERR_INVALID_ARGUMENT,
              "lse: only softmax has a log-sum-exp");
    const double elements = static_cast<double>(a.batch) * a.q_heads * static_cast<double>(a.nq) * a.head_dim;
    const double kv_elements = static_cast<double>(a.batch) * a.kv_heads * static_cast<double>(a.nk) * a.head_dim;
    r.require(elements < 4.0e18 && kv_elements < 4.0e18, ATTN4J_ERR_INVALID_ARGUMENT, "tensor sizes: too large");
    const double items = static_cast<double>(a.batch) * a.q_heads * std::ceil(a.nq / 64.0);
    r.require(items <= 2147483647.0, ATTN4J_ERR_INVALID_ARGUMENT,
              "batch * query heads * ceil(Nq / 64): expected at most 2^31 - 1");
    if (plan != nullptr) {
        r.require(plan->device == a.device, ATTN4J_ERR_INVALID_ARGUMENT,
                  "plan: built for device " + std::to_string(plan->device) + ", used on device "
                  + std::to_string(a.device));
        r.require(plan->nq == a.nq && plan->nk == a.nk, ATTN4J_ERR_INVALID_ARGUMENT,
                  "plan: built for Nq=" + std::to_string(plan->nq) + " Nk=" + std::to_string(plan->nk)
                  + ", used with Nq=" + std::to_string(a.nq) + " Nk=" + std::to_string(a.nk));
        r.require(plan->batch == a.batch && plan->q_heads == a.q_heads && plan->kv_heads == a.kv_heads,
                  ATTN4J_ERR_INVALID_ARGUMENT, "plan: built for another batch or head count");
        r.require(a.topk_blocks == 0 || plan->topk_bq > 0, ATTN4J_ERR_INVALID_ARGUMENT,
                  "block top-k: the plan was built without block top-k tile sizes");
    }
    return r.check;
}

inline Check decode_backward(const int64_t* args, int32_t count, BackwardArgs& a) {
    if (args == nullptr || count != ATTN4J_BWD_COUNT) {
        return Check::fail(ATTN4J_ERR_INVALID_ARGUMENT, "backward arguments: expected " + std::to_string(ATTN4J_BWD_COUNT)
                           + " values (ABI version " + std::to_string(ATTN4J_ABI_VERSION) + "), got "
                           + std::to_string(count));
    }
    detail::Reader r{args, Check()};
    using detail::kMaxInt;
    a.device = r.int32(ATTN4J_BWD_DEVICE, "device", 0, 1024);
    a.stream = args[ATTN4J_BWD_STREAM];
    a.plan = args[ATTN4J_BWD_PLAN];
    r.require(a.plan != 0, ATTN4J_ERR_INVALID_ARGUMENT, "plan: expected a plan handle, got 0");
    a.q = r.pointer(ATTN4J_BWD_Q, "q", true, 16);
    a.k = r.pointer(ATTN4J_BWD_K, "k", true, 16);
    a.v = r.pointer(ATTN4J_BWD_V, "v", true, 16);
    a.o = r.pointer(ATTN4J_BWD_O, "output", true, 16);
    a.d_o = r.pointer(ATTN4J_BWD_DO, "gradOutput", true, 16);
    a.lse = r.pointer(ATTN4J_BWD_LSE, "lse", false, 4);
    a.dq = r.pointer(ATTN4J_BWD_DQ, "dq", true, 16);
    a.dk = r.pointer(ATTN4J_BWD_DK, "dk", true, 16);
    a.dv = r.pointer(ATTN4J_BWD_DV, "dv", true, 16);
    a.dtype = r.int32(ATTN4J_BWD_DTYPE, "dtype (1 fp16, 2 bf16)", ATTN4J_FP16, ATTN4J_BF16);
    a.o_dtype = r.int32(ATTN4J_BWD_O_DTYPE, "output dtype", ATTN4J_FP32, ATTN4J_BF16);
    a.do_dtype = r.int32(ATTN4J_BWD_DO_DTYPE, "gradOutput dtype", ATTN4J_FP32, ATTN4J_BF16);
    a.batch = r.int32(ATTN4J_BWD_BATCH, "batch", 1, kMaxInt);
    a.q_heads = r.int32(ATTN4J_BWD_Q_HEADS, "query heads", 1, kMaxInt);
    a.kv_heads = r.int32(ATTN4J_BWD_KV_HEADS, "kv heads", 1, kMaxInt);
    a.nq = r.int32(ATTN4J_BWD_NQ, "query length", 1, kMaxInt);
    a.nk = r.int32(ATTN4J_BWD_NK, "key length", 1, kMaxInt);
    a.head_dim = r.int32(ATTN4J_BWD_HEAD_DIM, "head dim", 1, kMaxInt);
    a.value_dim = r.int32(ATTN4J_BWD_VALUE_DIM, "value dim", 1, kMaxInt);
    a.scale = detail::double_from_bits(args[ATTN4J_BWD_SCALE_BITS]);
    a.normalizer = r.int32(ATTN4J_BWD_NORMALIZER, "normalizer", 0, 2);
    a.event_start = args[ATTN4J_BWD_EVENT_START];
    a.event_stop = args[ATTN4J_BWD_EVENT_STOP];
    r.require((a.event_start == 0) == (a.event_stop == 0), ATTN4J_ERR_INVALID_ARGUMENT,
              "events: expected both start and stop, or neither");
    return r.check;
}

inline Check validate_backward(const BackwardArgs& a, const PlanSummary* plan) {
    ForwardArgs f;
    f.device = a.device;
    f.batch = a.batch;
    f.q_heads = a.q_heads;
    f.kv_heads = a.kv_heads;
    f.nq = a.nq;
    f.nk = a.nk;
    f.head_dim = a.head_dim;
    f.value_dim = a.value_dim;
    f.scale = a.scale;
    f.normalizer = ATTN4J_SOFTMAX;
    Check c = validate_forward(f, plan);
    if (!c.ok()) {
        return c;
    }
    detail::Reader r{nullptr, Check()};
    r.require(a.normalizer == ATTN4J_SOFTMAX, ATTN4J_ERR_UNSUPPORTED,
              "normalizer: the backward pass supports softmax only");
    const double key_items = static_cast<double>(a.batch) * a.kv_heads * std::ceil(a.nk / 64.0);
    r.require(key_items <= 2147483647.0, ATTN4J_ERR_INVALID_ARGUMENT,
              "batch * kv heads * ceil(Nk / 64): expected at most 2^31 - 1");
    return r.check;
}

/** The plan descriptor, decoded and checked. */
struct PlanArgs {
    int32_t nq = 0, nk = 0, batch = 0, q_heads = 0, kv_heads = 0;
    int32_t causal = 0, windowed = 0, left = 0, right = 0, global = 0;
    int32_t has_block = 0, block_batch = 1, block_heads = 1, block_qblocks = 0, block_kblocks = 0, block_bq = 1,
            block_bk = 1;
    int32_t topk_bq = 0, topk_bk = 0;
};

inline Check decode_plan(const int64_t* desc, int32_t count, const uint8_t* cells, int64_t cell_count, PlanArgs& p) {
    if (desc == nullptr || count != ATTN4J_PLAN_COUNT) {
        return Check::fail(ATTN4J_ERR_INVALID_ARGUMENT, "plan descriptor: expected " + std::to_string(ATTN4J_PLAN_COUNT)
                           + " values, got " + std::to_string(count));
    }
    detail::Reader r{desc, Check()};
    using detail::kMaxInt;
    p.nq = r.int32(ATTN4J_PLAN_NQ, "query length", 1, kMaxInt);
    p.nk = r.int32(ATTN4J_PLAN_NK, "key length", 1, kMaxInt);
    p.batch = r.int32(ATTN4J_PLAN_BATCH, "batch", 1, kMaxInt);
    p.q_heads = r.int32(ATTN4J_PLAN_Q_HEADS, "query heads", 1, kMaxInt);
    p.kv_heads = r.int32(ATTN4J_PLAN_KV_HEADS, "kv heads", 1, kMaxInt);
    p.causal = r.int32(ATTN4J_PLAN_CAUSAL, "causal", 0, 1);
    p.windowed = r.int32(ATTN4J_PLAN_WINDOWED, "windowed", 0, 1);
    p.left = r.int32(ATTN4J_PLAN_WINDOW_LEFT, "window.left", 0, kMaxInt);
    p.right = r.int32(ATTN4J_PLAN_WINDOW_RIGHT, "window.right", 0, kMaxInt);
    p.global = r.int32(ATTN4J_PLAN_GLOBAL_TOKENS, "globalTokens", 0, kMaxInt);
    p.has_block = r.int32(ATTN4J_PLAN_HAS_BLOCK_MASK, "has block mask", 0, 1);
    p.block_batch = r.int32(ATTN4J_PLAN_BLOCK_BATCH, "blockMask.shape[0]", 1, kMaxInt);
    p.block_heads = r.int32(ATTN4J_PLAN_BLOCK_HEADS, "blockMask.shape[1]", 1, kMaxInt);
    p.block_qblocks = r.int32(ATTN4J_PLAN_BLOCK_QBLOCKS, "blockMask.shape[2]", 0, kMaxInt);
    p.block_kblocks = r.int32(ATTN4J_PLAN_BLOCK_KBLOCKS, "blockMask.shape[3]", 0, kMaxInt);
    p.block_bq = r.int32(ATTN4J_PLAN_BLOCK_BQ, "blockMask.blockQ", 1, kMaxInt);
    p.block_bk = r.int32(ATTN4J_PLAN_BLOCK_BK, "blockMask.blockK", 1, kMaxInt);
    p.topk_bq = r.int32(ATTN4J_PLAN_TOPK_BQ, "topKBlocks.blockQ", 0, kMaxInt);
    p.topk_bk = r.int32(ATTN4J_PLAN_TOPK_BK, "topKBlocks.blockK", 0, kMaxInt);
    r.require(p.q_heads % p.kv_heads == 0, ATTN4J_ERR_INVALID_ARGUMENT, "kv heads: expected a divisor of the query heads");
    r.require((p.topk_bq == 0) == (p.topk_bk == 0), ATTN4J_ERR_INVALID_ARGUMENT,
              "topKBlocks: expected both tile sizes, or neither");
    if (p.has_block) {
        const int64_t expected = static_cast<int64_t>(p.block_batch) * p.block_heads * p.block_qblocks * p.block_kblocks;
        r.require(cells != nullptr && cell_count == expected, ATTN4J_ERR_INVALID_ARGUMENT,
                  "blockMask cells: expected " + std::to_string(expected) + " bytes, got " + std::to_string(cell_count));
    }
    return r.check;
}

}  // namespace attn4j
