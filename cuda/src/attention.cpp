// The attention entry points of the C ABI: validate, allocate the per-call workspaces on the stream (stream-ordered
// allocator), then queue the kernels: block top-k (means, selection, refined rows), token top-k thresholds, sparse
// thresholds, the output pass; for the backward pass rowsum(dO * O), the dK/dV/dQ kernel and the dQ conversion.
#include <cmath>
#include <vector>

#include "abi_support.hpp"
#include "launch.hpp"
#include "workspace.hpp"

namespace attn4j {
namespace {

int32_t lookup(int64_t handle, std::shared_ptr<DevicePlan>& plan) {
    plan = Resources::instance().find_plan(handle);
    if (!plan) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, "plan: unknown or destroyed handle " + std::to_string(handle));
    }
    return ATTN4J_OK;
}

int32_t checked_forward(const int64_t* args, int32_t count, ForwardArgs& a, std::shared_ptr<DevicePlan>& plan) {
    Check c = decode_forward(args, count, a);
    if (!c.ok()) {
        return fail(c.code, "forward: " + c.message);
    }
    c = validate_forward(a, nullptr);  // everything that does not need the plan first
    if (!c.ok()) {
        return fail(c.code, "forward: " + c.message);
    }
    if (int32_t r = lookup(a.plan, plan)) {
        return r;
    }
    c = validate_forward(a, &plan->summary);
    return c.ok() ? ATTN4J_OK : fail(c.code, "forward: " + c.message);
}

int32_t checked_backward(const int64_t* args, int32_t count, BackwardArgs& a, std::shared_ptr<DevicePlan>& plan) {
    Check c = decode_backward(args, count, a);
    if (!c.ok()) {
        return fail(c.code, "backward: " + c.message);
    }
    c = validate_backward(a, nullptr);  // everything that does not need the plan first
    if (!c.ok()) {
        return fail(c.code, "backward: " + c.message);
    }
    if (int32_t r = lookup(a.plan, plan)) {
        return r;
    }
    c = validate_backward(a, &plan->summary);
    return c.ok() ? ATTN4J_OK : fail(c.code, "backward: " + c.message);
}

int64_t dtype_bytes(int32_t dtype) {
    return dtype == ATTN4J_FP32 ? 4 : 2;
}

/**
 * The allocations behind the tensors of a call, each checked to hold the tensor whole: a stale or foreign pointer
 * is an error here, not a fault in a kernel. Null pointers (optional tensors) are skipped.
 */
struct TensorRange {
    const char* field;
    int64_t ptr;
    int64_t bytes;
};

int32_t hold_tensors(const char* what, std::initializer_list<TensorRange> tensors,
                     std::vector<std::shared_ptr<Allocation>>& held) {
    for (const TensorRange& t : tensors) {
        if (t.ptr == 0) {
            continue;
        }
        auto a = Resources::instance().find_allocation(t.ptr, t.bytes);
        if (!a) {
            return fail(ATTN4J_ERR_INVALID_ARGUMENT, std::string(what) + ": " + t.field + ": [" +
                                                             std::to_string(t.ptr) + ", +" + std::to_string(t.bytes) +
                                                             ") is not inside one live allocation of attn4j_malloc");
        }
        held.push_back(std::move(a));
    }
    return ATTN4J_OK;
}

/** The events named in a call's arguments (0: none), held while the call records them. */
int32_t hold_event(int64_t handle, const char* field, std::shared_ptr<EventObject>& out) {
    if (handle == 0) {
        out = nullptr;
        return ATTN4J_OK;
    }
    out = Resources::instance().find_event(handle);
    if (!out) {
        return fail(ATTN4J_ERR_INVALID_ARGUMENT, std::string(field) + ": unknown or destroyed event handle " +
                                                         std::to_string(handle));
    }
    return ATTN4J_OK;
}

int32_t record(const std::shared_ptr<EventObject>& event, cudaStream_t stream) {
    if (!event) {
        return ATTN4J_OK;
    }
    const cudaError_t e = cudaEventRecord(event->event, stream);
    return e == cudaSuccess ? ATTN4J_OK : cuda_fail(e, "cudaEventRecord");
}

ForwardParams base_params(const ForwardArgs& a, const DevicePlan& plan) {
    ForwardParams p;
    p.q = reinterpret_cast<const void*>(a.q);
    p.k = reinterpret_cast<const void*>(a.k);
    p.v = reinterpret_cast<const void*>(a.v);
    p.o = reinterpret_cast<void*>(a.o);
    p.lse = reinterpret_cast<float*>(a.lse);
    p.batch = a.batch;
    p.q_heads = a.q_heads;
    p.kv_heads = a.kv_heads;
    p.group = a.q_heads / a.kv_heads;
    p.nq = a.nq;
    p.nk = a.nk;
    p.qtiles = plan.qtiles;
    p.out_dtype = a.out_dtype;
    p.scale = kernel_scale(a.scale);
    p.mask = plan.mask;
    p.has_block = plan.has_block;
    p.block = plan.block;
    p.rows = plan.rows();
    p.schedule = plan.fwd_schedule();
    p.sparse_power = a.normalizer == ATTN4J_ENTMAX15 ? 2 : 1;
    return p;
}

/** Events a caller asked to have recorded around the kernels of one call (null: not asked). */
struct CallEvents {
    std::shared_ptr<EventObject> start, stop, selected, thresholds;
};

/** Queues the whole forward pass on stream (the start and stop events excluded). */
int32_t queue_forward(const ForwardArgs& a, const DevicePlan& plan, cudaStream_t stream, Workspace& ws,
                      const CallEvents& events) {
    ForwardParams p = base_params(a, plan);
    const int32_t items = static_cast<int32_t>(static_cast<int64_t>(a.batch) * a.q_heads * plan.qtiles);
    const int64_t rows = static_cast<int64_t>(a.batch) * a.q_heads * a.nq;

    // Block top-k; keeping k >= every tile changes nothing, so it is skipped then.
    if (a.topk_blocks > 0 && a.topk_blocks < plan.topk_kblocks) {
        BlockTopKParams bp;
        bp.d = a.head_dim;
        bp.batch = a.batch;
        bp.q_heads = a.q_heads;
        bp.kv_heads = a.kv_heads;
        bp.qblocks = plan.topk_qblocks;
        bp.kblocks = plan.topk_kblocks;
        bp.k = a.topk_blocks;
        bp.scale = a.scale;
        bp.candidates = plan.topk_candidates();
        bp.cand_mb = plan.mb;
        bp.cand_mh = plan.mh;
        const int64_t qcells = static_cast<int64_t>(a.batch) * a.q_heads * plan.topk_qblocks;
        const int64_t kcells = static_cast<int64_t>(a.batch) * a.kv_heads * plan.topk_kblocks;
        const int64_t grid = qcells * plan.topk_kblocks;
        if (grid > 2147483647LL || kcells > 2147483647LL) {
            return fail(ATTN4J_ERR_INVALID_ARGUMENT, "block top-k: batch * heads * query tiles * key tiles must stay "
                        "below 2^31; use larger tiles");
        }
        void *q_means, *k_means, *scores, *selected, *count, *partial, *tiles;
        ATTN4J_TRY(ws.take(8 * qcells * a.head_dim, &q_means), "block top-k: cudaMallocAsync");
        ATTN4J_TRY(ws.take(8 * kcells * a.head_dim, &k_means), "block top-k: cudaMallocAsync");
        ATTN4J_TRY(ws.take(8 * grid, &scores), "block top-k: cudaMallocAsync");
        ATTN4J_TRY(ws.take(grid, &selected), "block top-k: cudaMallocAsync");
        ATTN4J_TRY(ws.take(4 * static_cast<int64_t>(items), &count), "block top-k: cudaMallocAsync");
        ATTN4J_TRY(ws.take(4 * static_cast<int64_t>(items), &partial), "block top-k: cudaMallocAsync");
        ATTN4J_TRY(ws.take(4 * static_cast<int64_t>(items) * plan.ktiles, &tiles), "block top-k: cudaMallocAsync");

        BlockTopKParams qm = bp;
        qm.x = p.q;
        qm.means = static_cast<double*>(q_means);
        qm.heads = a.q_heads;
        qm.n = a.nq;
        qm.tile = plan.topk_bq;
        qm.tiles = plan.topk_qblocks;
        ATTN4J_TRY(launch_block_means(a.dtype, qm, qcells, stream), "block top-k: query means");
        BlockTopKParams km = bp;
        km.x = p.k;
        km.means = static_cast<double*>(k_means);
        km.heads = a.kv_heads;
        km.n = a.nk;
        km.tile = plan.topk_bk;
        km.tiles = plan.topk_kblocks;
        ATTN4J_TRY(launch_block_means(a.dtype, km, kcells, stream), "block top-k: key means");
        bp.q_means = static_cast<double*>(q_means);
        bp.k_means = static_cast<double*>(k_means);
        bp.scores = static_cast<double*>(scores);
        bp.selected = static_cast<uint8_t*>(selected);
        ATTN4J_TRY(launch_block_select(bp, qcells, stream), "block top-k: selection");

        CellGrid sel{static_cast<const uint8_t*>(selected), a.batch, a.q_heads, plan.topk_qblocks,
                     plan.topk_kblocks, plan.topk_bq, plan.topk_bk};
        RefineParams rp;
        rp.mask = plan.mask;
        rp.has_block = plan.has_block;
        rp.block = plan.block;
        rp.selected = sel;
        rp.static_rows = plan.rows();
        rp.count = static_cast<int32_t*>(count);
        rp.partial = static_cast<int32_t*>(partial);
        rp.tiles = static_cast<int32_t*>(tiles);
        rp.batch = a.batch;
        rp.q_heads = a.q_heads;
        rp.qtiles = plan.qtiles;
        rp.ktiles = plan.ktiles;
        ATTN4J_TRY(launch_block_refine(rp, items, stream), "block top-k: tile rows");

        p.has_topk = 1;
        p.topk = sel;
        p.rows = TileListView{static_cast<const int32_t*>(count), static_cast<const int32_t*>(partial),
                              static_cast<const int32_t*>(tiles), plan.ktiles, a.batch, a.q_heads, plan.qtiles};
        p.schedule = nullptr;  // the selection evens the rows out; the natural order keeps K/V reuse
    }
    if (int32_t r = record(events.selected, stream)) {
        return r;
    }

    const bool fp16 = a.dtype == ATTN4J_FP16;
    if (a.topk_tokens > 0 && a.topk_tokens < a.nk) {
        void* thresholds;
        ATTN4J_TRY(ws.take(8 * rows, &thresholds), "token top-k: cudaMallocAsync");
        ThresholdOutputs o;
        o.token_threshold = static_cast<uint64_t*>(thresholds);
        o.token_k = a.topk_tokens;
        o.max_passes = 18;
        ATTN4J_TRY(fp16 ? launch_token_topk_f16(a.head_dim, p, o, items, stream)
                        : launch_token_topk_bf16(a.head_dim, p, o, items, stream),
                   "token top-k thresholds");
        p.token_threshold = o.token_threshold;
    }

    const bool sparse = a.normalizer != ATTN4J_SOFTMAX;
    if (sparse) {
        void *tau, *row_max;
        ATTN4J_TRY(ws.take(4 * rows, &tau), "sparse threshold: cudaMallocAsync");
        ATTN4J_TRY(ws.take(4 * rows, &row_max), "sparse threshold: cudaMallocAsync");
        ThresholdOutputs o;
        o.row_tau = static_cast<float*>(tau);
        o.row_max = static_cast<float*>(row_max);
        o.max_passes = 16;
        ATTN4J_TRY(fp16 ? launch_sparse_tau_f16(a.head_dim, p, o, items, stream)
                        : launch_sparse_tau_bf16(a.head_dim, p, o, items, stream),
                   "sparse normalizer thresholds");
        p.row_tau = o.row_tau;
        p.row_max = o.row_max;
    }
    if (int32_t r = record(events.thresholds, stream)) {
        return r;
    }
    ATTN4J_TRY(fp16 ? launch_forward_f16(a.head_dim, sparse, p, items, stream)
                    : launch_forward_bf16(a.head_dim, sparse, p, items, stream),
               "attention forward kernel");
    return ATTN4J_OK;
}

}  // namespace
}  // namespace attn4j

using namespace attn4j;

extern "C" {

int32_t attn4j_forward_check(const int64_t* args, int32_t count) {
    return guarded("forward", [&]() -> int32_t {
        ForwardArgs a;
        std::shared_ptr<DevicePlan> plan;
        return checked_forward(args, count, a, plan);
    });
}

int32_t attn4j_backward_check(const int64_t* args, int32_t count) {
    return guarded("backward", [&]() -> int32_t {
        BackwardArgs a;
        std::shared_ptr<DevicePlan> plan;
        return checked_backward(args, count, a, plan);
    });
}

int32_t attn4j_forward(const int64_t* args, int32_t count) {
    return guarded("forward", [&]() -> int32_t {
        ForwardArgs a;
        std::shared_ptr<DevicePlan> plan;
        if (int32_t r = checked_forward(args, count, a, plan)) {
            return r;
        }
        // Everything the call uses is held until its work is queued and marked: a concurrent free, destroy or close
        // only takes effect after the kernels that read it.
        const int64_t rows = static_cast<int64_t>(a.batch) * a.q_heads * a.nq;
        const int64_t kv_rows = static_cast<int64_t>(a.batch) * a.kv_heads * a.nk;
        std::vector<std::shared_ptr<Allocation>> held;
        if (int32_t r = hold_tensors("forward",
                                     {{"q", a.q, rows * a.head_dim * dtype_bytes(a.dtype)},
                                      {"k", a.k, kv_rows * a.head_dim * dtype_bytes(a.dtype)},
                                      {"v", a.v, kv_rows * a.value_dim * dtype_bytes(a.dtype)},
                                      {"o", a.o, rows * a.value_dim * dtype_bytes(a.out_dtype)},
                                      {"lse", a.lse, rows * 4}},
                                     held)) {
            return r;
        }
        StreamRef stream;
        if (int32_t r = resolve_stream(a.stream, stream)) {
            return r;
        }
        CallEvents events;
        if (int32_t r = hold_event(a.event_start, "event_start", events.start)) {
            return r;
        }
        if (int32_t r = hold_event(a.event_stop, "event_stop", events.stop)) {
            return r;
        }
        if (int32_t r = hold_event(a.event_selected, "event_selected", events.selected)) {
            return r;
        }
        if (int32_t r = hold_event(a.event_thresholds, "event_thresholds", events.thresholds)) {
            return r;
        }
        ATTN4J_TRY(cudaSetDevice(a.device), "cudaSetDevice");
        if (int32_t r = record(events.start, stream.stream)) {
            return r;
        }
        {
            Workspace ws(stream.stream);
            if (int32_t r = queue_forward(a, *plan, stream.stream, ws, events)) {
                return r;
            }
            ATTN4J_TRY(ws.release(), "forward: cudaFreeAsync (workspace)");
        }
        if (int32_t r = record(events.stop, stream.stream)) {
            return r;
        }
        return mark_use(stream, held, plan.get());
    });
}

int32_t attn4j_backward(const int64_t* args, int32_t count) {
    return guarded("backward", [&]() -> int32_t {
        BackwardArgs a;
        std::shared_ptr<DevicePlan> plan;
        if (int32_t r = checked_backward(args, count, a, plan)) {
            return r;
        }
        const int64_t rows = static_cast<int64_t>(a.batch) * a.q_heads * a.nq;
        const int64_t kv_rows = static_cast<int64_t>(a.batch) * a.kv_heads * a.nk;
        const int64_t t = dtype_bytes(a.dtype);
        std::vector<std::shared_ptr<Allocation>> held;
        if (int32_t r = hold_tensors("backward",
                                     {{"q", a.q, rows * a.head_dim * t},
                                      {"k", a.k, kv_rows * a.head_dim * t},
                                      {"v", a.v, kv_rows * a.value_dim * t},
                                      {"o", a.o, rows * a.value_dim * dtype_bytes(a.o_dtype)},
                                      {"d_o", a.d_o, rows * a.value_dim * dtype_bytes(a.do_dtype)},
                                      {"lse", a.lse, rows * 4},
                                      {"dq", a.dq, rows * a.head_dim * t},
                                      {"dk", a.dk, kv_rows * a.head_dim * t},
                                      {"dv", a.dv, kv_rows * a.value_dim * t}},
                                     held)) {
            return r;
        }
        StreamRef s;
        if (int32_t r = resolve_stream(a.stream, s)) {
            return r;
        }
        CallEvents events;
        if (int32_t r = hold_event(a.event_start, "event_start", events.start)) {
            return r;
        }
        if (int32_t r = hold_event(a.event_stop, "event_stop", events.stop)) {
            return r;
        }
        ATTN4J_TRY(cudaSetDevice(a.device), "cudaSetDevice");
        const cudaStream_t stream = s.stream;
        if (int32_t r = record(events.start, stream)) {
            return r;
        }
        {
            Workspace ws(stream);
            const int64_t q_elems = rows * a.head_dim;
            const bool fp16 = a.dtype == ATTN4J_FP16;

            const void* lse = reinterpret_cast<const void*>(a.lse);
            if (lse == nullptr) {
                // Recompute the log-sum-exp with a forward pass into scratch outputs.
                void *o_scratch, *lse_scratch;
                ATTN4J_TRY(ws.take(2 * q_elems, &o_scratch), "backward: cudaMallocAsync");
                ATTN4J_TRY(ws.take(4 * rows, &lse_scratch), "backward: cudaMallocAsync");
                ForwardArgs f;
                f.device = a.device;
                f.q = a.q;
                f.k = a.k;
                f.v = a.v;
                f.o = reinterpret_cast<int64_t>(o_scratch);
                f.lse = reinterpret_cast<int64_t>(lse_scratch);
                f.dtype = a.dtype;
                f.out_dtype = a.dtype;
                f.batch = a.batch;
                f.q_heads = a.q_heads;
                f.kv_heads = a.kv_heads;
                f.nq = a.nq;
                f.nk = a.nk;
                f.head_dim = a.head_dim;
                f.value_dim = a.value_dim;
                f.scale = a.scale;
                f.normalizer = ATTN4J_SOFTMAX;
                if (int32_t r = queue_forward(f, *plan, stream, ws, CallEvents{})) {
                    return r;
                }
                lse = lse_scratch;
            }
            const void* d_o = reinterpret_cast<const void*>(a.d_o);
            if (a.do_dtype != a.dtype) {
                void* converted;
                ATTN4J_TRY(ws.take(2 * q_elems, &converted), "backward: cudaMallocAsync");
                ATTN4J_TRY(launch_convert(d_o, a.do_dtype, converted, a.dtype, q_elems, stream),
                           "backward: gradOutput conversion");
                d_o = converted;
            }
            void *dsum, *dq_accum;
            ATTN4J_TRY(ws.take(4 * rows, &dsum), "backward: cudaMallocAsync");
            ATTN4J_TRY(ws.take(4 * q_elems, &dq_accum), "backward: cudaMallocAsync");
            DsumParams dp;
            dp.o = reinterpret_cast<const void*>(a.o);
            dp.d_o = reinterpret_cast<const void*>(a.d_o);
            dp.o_dtype = a.o_dtype;
            dp.do_dtype = a.do_dtype;
            dp.dsum = static_cast<float*>(dsum);
            dp.rows = rows;
            dp.d = a.head_dim;
            ATTN4J_TRY(launch_dsum(dp, stream), "backward: rowsum(dO * O)");
            ATTN4J_TRY(cudaMemsetAsync(dq_accum, 0, static_cast<size_t>(4 * q_elems), stream), "cudaMemsetAsync");

            BackwardParams bp;
            bp.q = reinterpret_cast<const void*>(a.q);
            bp.k = reinterpret_cast<const void*>(a.k);
            bp.v = reinterpret_cast<const void*>(a.v);
            bp.d_o = d_o;
            bp.lse = static_cast<const float*>(lse);
            bp.dsum = static_cast<const float*>(dsum);
            bp.dq_accum = static_cast<float*>(dq_accum);
            bp.dk = reinterpret_cast<void*>(a.dk);
            bp.dv = reinterpret_cast<void*>(a.dv);
            bp.batch = a.batch;
            bp.q_heads = a.q_heads;
            bp.kv_heads = a.kv_heads;
            bp.group = a.q_heads / a.kv_heads;
            bp.nq = a.nq;
            bp.nk = a.nk;
            bp.ktiles = plan->ktiles;
            bp.scale = kernel_scale(a.scale);
            bp.mask = plan->mask;
            bp.has_block = plan->has_block;
            bp.block = plan->block;
            bp.cols = plan->cols();
            bp.schedule = plan->bwd_schedule();
            const int32_t items = static_cast<int32_t>(static_cast<int64_t>(a.batch) * a.kv_heads * plan->ktiles);
            ATTN4J_TRY(fp16 ? launch_backward_f16(a.head_dim, bp, items, stream)
                            : launch_backward_bf16(a.head_dim, bp, items, stream),
                       "attention backward kernel");
            ATTN4J_TRY(launch_convert(dq_accum, ATTN4J_FP32, reinterpret_cast<void*>(a.dq), a.dtype, q_elems, stream),
                       "backward: dQ conversion");
            ATTN4J_TRY(ws.release(), "backward: cudaFreeAsync (workspace)");
        }
        if (int32_t r = record(events.stop, stream)) {
            return r;
        }
        return mark_use(s, held, plan.get());
    });
}

int32_t attn4j_convert(int32_t device, int64_t stream, int64_t src, int32_t src_dtype, int64_t dst, int32_t dst_dtype,
                       int64_t elements) {
    return guarded("convert", [&]() -> int32_t {
        if (src_dtype < 0 || src_dtype > 2 || dst_dtype < 0 || dst_dtype > 2) {
            return fail(ATTN4J_ERR_INVALID_ARGUMENT, "convert: dtypes must be 0 (fp32), 1 (fp16) or 2 (bf16)");
        }
        if (elements < 0) {
            return fail(ATTN4J_ERR_INVALID_ARGUMENT, "convert: elements: expected >= 0, got " +
                                                             std::to_string(elements));
        }
        if (device < 0) {
            return fail(ATTN4J_ERR_INVALID_ARGUMENT, "device: expected >= 0");
        }
        if (elements == 0) {
            return ATTN4J_OK;
        }
        std::vector<std::shared_ptr<Allocation>> held;
        if (int32_t r = hold_tensors("convert",
                                     {{"src", src == 0 ? -1 : src, elements * dtype_bytes(src_dtype)},
                                      {"dst", dst == 0 ? -1 : dst, elements * dtype_bytes(dst_dtype)}},
                                     held)) {
            return r;
        }
        StreamRef s;
        if (int32_t r = resolve_stream(stream, s)) {
            return r;
        }
        ATTN4J_TRY(cudaSetDevice(device), "cudaSetDevice");
        ATTN4J_TRY(launch_convert(reinterpret_cast<const void*>(src), src_dtype, reinterpret_cast<void*>(dst),
                                  dst_dtype, elements, s.stream),
                   "convert");
        return mark_use(s, held, nullptr);
    });
}

}  // extern "C"
