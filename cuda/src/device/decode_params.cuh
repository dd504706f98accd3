// What one decode step over a device KV cache reads (SPEC "Decoding with a KV cache"): the new queries, the cache's
// keys, values, per-block key sums and lengths, the masks, and the step's scratch buffers.
#pragma once

#include <cstdint>

namespace attn4j {

struct DecodeParams {
    const void* q = nullptr;           // [B, Hq, Nq, D], the cache's type
    const void* k = nullptr;           // cache keys [B, Hkv, capacity, D]
    const void* v = nullptr;           // cache values [B, Hkv, capacity, Dv]
    const double* block_sums = nullptr;  // [B, Hkv, block_capacity, D]: float64 sums of each block's keys
    const int32_t* lengths = nullptr;  // [B]: positions each sequence holds
    int32_t batch = 0;
    int32_t q_heads = 0;
    int32_t kv_heads = 0;
    int32_t group = 1;                 // q_heads / kv_heads
    int32_t nq = 0;                    // new queries per sequence (the last nq positions)
    int32_t d = 0;
    int32_t dv = 0;
    int32_t capacity = 0;              // positions the cache holds per (sequence, kv head)
    int32_t block_size = 1;            // the cache's block of positions (block sums, block top-k)
    int32_t block_capacity = 0;        // blocks per (sequence, kv head)
    int32_t max_length = 0;            // the longest sequence: the scores' row length
    float scale = 1.0f;
    double scale_d = 1.0;
    // Static masks over absolute positions.
    int32_t windowed = 0;
    int32_t left = 0;
    int32_t global = 0;
    const uint8_t* block_cells = nullptr;  // [mb][mh][qb][kb] or null
    int32_t block_mb = 1, block_mh = 1, block_qb = 0, block_kb = 0, block_bq = 1, block_bk = 1;
    // Block top-k over the cached block means, per row or per kv-head group.
    int32_t topk_blocks = 0;
    int32_t per_group = 0;
    uint8_t* chosen = nullptr;         // [B, Hq or Hkv, Nq, block_capacity]: blocks chosen by score
    // Token top-k, normalizer.
    int32_t topk_tokens = 0;
    int32_t normalizer = 0;            // 0 softmax, 1 sparsemax, 2 entmax-1.5
    // Scratch and outputs.
    float* scores = nullptr;           // [B * Hq * Nq, max_length]: scores, then weights; all ones = not kept
    float* o_acc = nullptr;            // [B * Hq * Nq, Dv], fp32, zeroed
    void* o = nullptr;                 // [B, Hq, Nq, Dv] in out_dtype
    float* lse = nullptr;              // [B, Hq, Nq] or null
    int32_t out_dtype = 0;
    int32_t dtype = 1;                 // 1 fp16, 2 bf16
};

/** Appending positions to a device KV cache: new keys and values, copied in place, block sums updated in order. */
struct KvAppendParams {
    const void* k_new = nullptr;       // [B, Hkv, t, D]
    const void* v_new = nullptr;       // [B, Hkv, t, Dv]
    void* k = nullptr;                 // cache
    void* v = nullptr;
    double* block_sums = nullptr;
    const int32_t* from = nullptr;     // [B]: positions held before the append
    const int32_t* counts = nullptr;   // [B]: positions appended (<= t)
    int32_t batch = 0;
    int32_t kv_heads = 0;
    int32_t t = 0;
    int32_t d = 0;
    int32_t dv = 0;
    int32_t capacity = 0;
    int32_t block_size = 1;
    int32_t block_capacity = 0;
    int32_t dtype = 1;
};

}  // namespace attn4j
