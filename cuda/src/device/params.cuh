// What one launch of the attention kernels reads: tensors, shapes, masks, the compressed tile rows to walk, and the
// per-row thresholds of the dynamic selections and sparse normalizers. Passed by value as the kernel parameter.
#pragma once

#include <cstdint>

#include "../../host/mask_model.hpp"
#include "../../host/tile_lists.hpp"

namespace attn4j {

struct ForwardParams {
    const void* q = nullptr;        // [B, Hq, Nq, D]
    const void* k = nullptr;        // [B, Hkv, Nk, D]
    const void* v = nullptr;        // [B, Hkv, Nk, D]
    void* o = nullptr;              // [B, Hq, Nq, D] in out_dtype
    float* lse = nullptr;           // [B, Hq, Nq] or null
    int32_t batch = 0;
    int32_t q_heads = 0;
    int32_t kv_heads = 0;
    int32_t group = 1;              // q_heads / kv_heads
    int32_t nq = 0;
    int32_t nk = 0;
    int32_t qtiles = 0;
    int32_t out_dtype = 0;          // 0 fp32, 1 fp16, 2 bf16 (org.attn4j.DType ordinals)
    float scale = 1.0f;
    MaskParams mask;
    int32_t has_block = 0;          // static block mask cells, checked per pair in partial tiles
    CellGrid block;
    int32_t has_topk = 0;           // block top-k selection cells, checked per pair in partial tiles
    CellGrid topk;
    TileListView rows;              // which key tiles each query tile visits
    const int32_t* schedule = nullptr;  // work item -> (b * Hq + h) * qtiles + qt; null: identity
    const uint64_t* token_threshold = nullptr;  // token top-k: keep keys whose rank key >= this, per query row
    const float* row_tau = nullptr;             // sparse normalizers: tau per query row, in units of x, relative to
    const float* row_max = nullptr;             // ...the row's maximum of x over its kept scores
    int32_t sparse_power = 1;                   // 1 sparsemax (x = s), 2 entmax-1.5 (x = s / 2)
};

/** Outputs of the threshold kernels, per query row [B, Hq, Nq]. */
struct ThresholdOutputs {
    uint64_t* token_threshold = nullptr;
    float* row_tau = nullptr;   // relative to row_max
    float* row_max = nullptr;
    int32_t token_k = 0;
    int32_t max_passes = 0;
};

struct BackwardParams {
    const void* q = nullptr;        // [B, Hq, Nq, D], type T
    const void* k = nullptr;        // [B, Hkv, Nk, D]
    const void* v = nullptr;
    const void* d_o = nullptr;      // [B, Hq, Nq, D], type T
    const float* lse = nullptr;     // [B, Hq, Nq]
    const float* dsum = nullptr;    // rowsum(dO * O), [B, Hq, Nq]
    float* dq_accum = nullptr;      // [B, Hq, Nq, D], fp32, zeroed before the launch
    void* dk = nullptr;             // [B, Hkv, Nk, D], type T
    void* dv = nullptr;
    int32_t batch = 0;
    int32_t q_heads = 0;
    int32_t kv_heads = 0;
    int32_t group = 1;
    int32_t nq = 0;
    int32_t nk = 0;
    int32_t ktiles = 0;
    float scale = 1.0f;
    MaskParams mask;
    int32_t has_block = 0;
    CellGrid block;
    TileListView cols;               // which query tiles each key tile visits
    const int32_t* schedule = nullptr;  // work item -> (b * Hkv + kvh) * ktiles + kt
};

/** Block top-k: the means, selection and refinement kernels. */
struct BlockTopKParams {
    const void* x = nullptr;   // pool: [B, H, N, D] of type T
    double* means = nullptr;   // pool: [B, H, tiles, D]
    int32_t heads = 0;         // pool: heads of x
    int32_t n = 0;             // pool: rows per head
    int32_t d = 0;
    int32_t tile = 1;          // pool: rows per tile
    int32_t tiles = 0;

    // select
    const double* q_means = nullptr;  // [B, Hq, QB, D]
    const double* k_means = nullptr;  // [B, Hkv, KB, D]
    const uint8_t* candidates = nullptr;  // [mb][mh][QB][KB] from the plan
    int32_t cand_mb = 1;
    int32_t cand_mh = 1;
    double* scores = nullptr;   // scratch [B, Hq, QB, KB]
    uint8_t* selected = nullptr;  // [B, Hq, QB, KB]
    int32_t batch = 0;
    int32_t q_heads = 0;
    int32_t kv_heads = 0;
    int32_t qblocks = 0;
    int32_t kblocks = 0;
    int32_t k = 0;
    double scale = 1.0;
};

struct RefineParams {
    MaskParams mask;
    int32_t has_block = 0;
    CellGrid block;
    CellGrid selected;        // [B][Hq][QB][KB], bq x bk tiles of the selection
    TileListView static_rows; // the plan's rows
    int32_t* count = nullptr; // out: per (b, h, qt)
    int32_t* partial = nullptr;
    int32_t* tiles = nullptr; // out: capacity ktiles per line
    int32_t batch = 0;
    int32_t q_heads = 0;
    int32_t qtiles = 0;
    int32_t ktiles = 0;
};

/** rowsum(dO * O) of the backward pass. */
struct DsumParams {
    const void* o = nullptr;
    const void* d_o = nullptr;
    int32_t o_dtype = 0;
    int32_t do_dtype = 0;
    float* dsum = nullptr;
    int64_t rows = 0;  // B * Hq * Nq
    int32_t d = 0;
};

}  // namespace attn4j
