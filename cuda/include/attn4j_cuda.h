/*
 * attn4j's CUDA engine: the C ABI that the JNI bridge (native/, JavaCPP) binds. Small on purpose: device queries,
 * memory, copies, streams, events, errors, mask plans and the attention entry points.
 *
 * Conventions
 *  - Every function returns 0 on success or an error code: a cudaError_t value (1..9999), or one of the
 *    ATTN4J_ERR_* codes below for arguments rejected before any launch. attn4j_error_name() names either kind and
 *    attn4j_last_error_message() gives the detail of the last failure on the calling thread.
 *  - Device pointers, host addresses, streams, events and plans travel as int64_t. Streams, events and plans are
 *    ids, not addresses: a destroyed or forged handle is an error, never a crash. Stream 0 means the calling
 *    thread's default stream (cudaStreamPerThread).
 *  - Device memory is what attn4j_malloc returned: every function checks that the ranges it is given lie inside
 *    one live allocation. Freeing, destroying a plan, a stream or an event never waits for the device: what a
 *    call queued keeps using it, and memory is released in stream order after its last use.
 *  - The attention entry points take their arguments as an int64_t vector indexed by the enums below (doubles as
 *    their IEEE bits), checked against ATTN4J_FWD_COUNT / ATTN4J_BWD_COUNT, so the ABI can grow without breaking
 *    the binding. They validate everything before launching and are asynchronous on their stream.
 */
#ifndef ATTN4J_CUDA_H
#define ATTN4J_CUDA_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ATTN4J_ABI_VERSION 3

/* Errors raised by attn4j itself (cudaError_t values stay below 10000). */
enum attn4j_error {
    ATTN4J_OK = 0,
    ATTN4J_ERR_INVALID_ARGUMENT = 10001, /* an argument failed validation; nothing was launched */
    ATTN4J_ERR_UNSUPPORTED = 10002,      /* a valid request this build cannot run (e.g. head dim 96) */
    ATTN4J_ERR_HOST_MEMORY = 10003,      /* host allocation failed while building a plan */
    ATTN4J_ERR_INTERNAL = 10004          /* an unexpected exception; the message says which */
};

/* Element types: the ordinals of org.attn4j.DType. */
enum attn4j_dtype { ATTN4J_FP32 = 0, ATTN4J_FP16 = 1, ATTN4J_BF16 = 2 };

/* Normalizers: the ordinals of org.attn4j.Normalizer. */
enum attn4j_normalizer { ATTN4J_SOFTMAX = 0, ATTN4J_SPARSEMAX = 1, ATTN4J_ENTMAX15 = 2 };

/* Mask plan descriptor (attn4j_plan_create). */
enum attn4j_plan_arg {
    ATTN4J_PLAN_NQ = 0,
    ATTN4J_PLAN_NK,
    ATTN4J_PLAN_BATCH,
    ATTN4J_PLAN_Q_HEADS,
    ATTN4J_PLAN_KV_HEADS,
    ATTN4J_PLAN_CAUSAL,         /* 0 or 1 */
    ATTN4J_PLAN_WINDOWED,       /* 0 or 1 */
    ATTN4J_PLAN_WINDOW_LEFT,
    ATTN4J_PLAN_WINDOW_RIGHT,
    ATTN4J_PLAN_GLOBAL_TOKENS,
    ATTN4J_PLAN_HAS_BLOCK_MASK, /* 0 or 1; cells passed separately as [mb][mh][qblocks][kblocks] bytes */
    ATTN4J_PLAN_BLOCK_BATCH,    /* 1 or batch */
    ATTN4J_PLAN_BLOCK_HEADS,    /* 1 or query heads */
    ATTN4J_PLAN_BLOCK_QBLOCKS,
    ATTN4J_PLAN_BLOCK_KBLOCKS,
    ATTN4J_PLAN_BLOCK_BQ,
    ATTN4J_PLAN_BLOCK_BK,
    ATTN4J_PLAN_TOPK_BQ,        /* block top-k tile sizes, 0 without block top-k */
    ATTN4J_PLAN_TOPK_BK,
    ATTN4J_PLAN_COUNT
};

/* What attn4j_plan_info reports. */
enum attn4j_plan_info_field {
    ATTN4J_PLAN_INFO_QTILES = 0,
    ATTN4J_PLAN_INFO_KTILES,
    ATTN4J_PLAN_INFO_MASK_BATCH,
    ATTN4J_PLAN_INFO_MASK_HEADS,
    ATTN4J_PLAN_INFO_NONEMPTY_TILES, /* summed over mask rows */
    ATTN4J_PLAN_INFO_FULL_TILES,
    ATTN4J_PLAN_INFO_DEVICE_BYTES,
    ATTN4J_PLAN_INFO_TILE,           /* the kernels' tile size */
    ATTN4J_PLAN_INFO_COUNT
};

/* Forward arguments (attn4j_forward). */
enum attn4j_forward_arg {
    ATTN4J_FWD_DEVICE = 0,
    ATTN4J_FWD_STREAM,
    ATTN4J_FWD_PLAN,
    ATTN4J_FWD_Q,               /* device pointers, contiguous [B, H, N, D] */
    ATTN4J_FWD_K,
    ATTN4J_FWD_V,
    ATTN4J_FWD_O,
    ATTN4J_FWD_LSE,             /* fp32 [B, Hq, Nq] or 0 */
    ATTN4J_FWD_DTYPE,           /* of q, k, v: fp16 or bf16 */
    ATTN4J_FWD_OUT_DTYPE,       /* of o: fp32, fp16 or bf16 */
    ATTN4J_FWD_BATCH,
    ATTN4J_FWD_Q_HEADS,
    ATTN4J_FWD_KV_HEADS,
    ATTN4J_FWD_NQ,
    ATTN4J_FWD_NK,
    ATTN4J_FWD_HEAD_DIM,
    ATTN4J_FWD_VALUE_DIM,
    ATTN4J_FWD_SCALE_BITS,      /* IEEE bits of the (double) score scale */
    ATTN4J_FWD_NORMALIZER,
    ATTN4J_FWD_TOPK_BLOCKS,     /* block top-k k, 0 without; tile sizes come from the plan */
    ATTN4J_FWD_TOPK_TOKENS,     /* token top-k k, 0 without */
    ATTN4J_FWD_EVENT_START,     /* events recorded around the kernels, or 0 (call-overhead measurements) */
    ATTN4J_FWD_EVENT_STOP,
    ATTN4J_FWD_EVENT_SELECTED,  /* optional: recorded after the block top-k kernels (0: none) */
    ATTN4J_FWD_EVENT_THRESHOLDS,/* optional: recorded after the token top-k / sparse threshold kernels (0: none) */
    ATTN4J_FWD_COUNT
};

/* Backward arguments (attn4j_backward): softmax, static masks and block mask. */
enum attn4j_backward_arg {
    ATTN4J_BWD_DEVICE = 0,
    ATTN4J_BWD_STREAM,
    ATTN4J_BWD_PLAN,
    ATTN4J_BWD_Q,
    ATTN4J_BWD_K,
    ATTN4J_BWD_V,
    ATTN4J_BWD_O,               /* forward output */
    ATTN4J_BWD_DO,              /* gradient of the loss w.r.t. O */
    ATTN4J_BWD_LSE,             /* forward LSE, or 0 to recompute it */
    ATTN4J_BWD_DQ,              /* outputs, of the input type */
    ATTN4J_BWD_DK,
    ATTN4J_BWD_DV,
    ATTN4J_BWD_DTYPE,           /* of q, k, v, dq, dk, dv */
    ATTN4J_BWD_O_DTYPE,
    ATTN4J_BWD_DO_DTYPE,
    ATTN4J_BWD_BATCH,
    ATTN4J_BWD_Q_HEADS,
    ATTN4J_BWD_KV_HEADS,
    ATTN4J_BWD_NQ,
    ATTN4J_BWD_NK,
    ATTN4J_BWD_HEAD_DIM,
    ATTN4J_BWD_VALUE_DIM,
    ATTN4J_BWD_SCALE_BITS,
    ATTN4J_BWD_NORMALIZER,
    ATTN4J_BWD_EVENT_START,
    ATTN4J_BWD_EVENT_STOP,
    ATTN4J_BWD_COUNT
};

/* A device KV cache (attn4j_kv_create): B sequences, each its own length, keys and values of kv heads, and the float64
   sum of every block of block_size positions' keys (SPEC "Decoding with a KV cache"). */
enum attn4j_kv_arg {
    ATTN4J_KV_BATCH = 0,
    ATTN4J_KV_KV_HEADS,
    ATTN4J_KV_HEAD_DIM,         /* a multiple of 8, at most 256 */
    ATTN4J_KV_VALUE_DIM,        /* a multiple of 8, at most 256 */
    ATTN4J_KV_DTYPE,            /* fp16 or bf16 */
    ATTN4J_KV_CAPACITY,         /* positions per sequence held without growing */
    ATTN4J_KV_BLOCK_SIZE,
    ATTN4J_KV_COUNT
};

/* What attn4j_kv_read copies out of one (sequence, kv head). */
enum attn4j_kv_part { ATTN4J_KV_KEYS = 0, ATTN4J_KV_VALUES = 1, ATTN4J_KV_BLOCK_SUMS = 2 };

/* Decode arguments (attn4j_decode): Nq new queries per sequence against everything its cache holds. */
enum attn4j_decode_arg {
    ATTN4J_DEC_DEVICE = 0,
    ATTN4J_DEC_STREAM,
    ATTN4J_DEC_CACHE,
    ATTN4J_DEC_Q,               /* device [B, Hq, Nq, D] of the cache's type */
    ATTN4J_DEC_O,               /* device [B, Hq, Nq, Dv] of out dtype */
    ATTN4J_DEC_LSE,             /* device fp32 [B, Hq, Nq] or 0 (softmax only) */
    ATTN4J_DEC_OUT_DTYPE,
    ATTN4J_DEC_Q_HEADS,
    ATTN4J_DEC_NQ,
    ATTN4J_DEC_SCALE_BITS,
    ATTN4J_DEC_NORMALIZER,
    ATTN4J_DEC_WINDOWED,        /* 0 or 1: a sliding window of `left` keys before the query */
    ATTN4J_DEC_WINDOW_LEFT,
    ATTN4J_DEC_GLOBAL_TOKENS,
    ATTN4J_DEC_HAS_BLOCK_MASK,  /* 0 or 1; cells passed separately as [mb][mh][qblocks][kblocks] bytes */
    ATTN4J_DEC_BLOCK_BATCH,     /* 1 or batch */
    ATTN4J_DEC_BLOCK_HEADS,     /* 1 or query heads */
    ATTN4J_DEC_BLOCK_QBLOCKS,
    ATTN4J_DEC_BLOCK_KBLOCKS,
    ATTN4J_DEC_BLOCK_BQ,
    ATTN4J_DEC_BLOCK_BK,
    ATTN4J_DEC_TOPK_BLOCKS,     /* block top-k k over the cache's blocks, 0 without */
    ATTN4J_DEC_TOPK_PER_GROUP,  /* 0 or 1: one choice per kv-head group */
    ATTN4J_DEC_TOPK_TOKENS,     /* token top-k k, 0 without */
    ATTN4J_DEC_COUNT
};

int32_t attn4j_abi_version(void);

/* Errors */
const char* attn4j_error_name(int32_t code);
const char* attn4j_error_string(int32_t code);
const char* attn4j_last_error_message(void);
/* 1 when the code leaves the CUDA context usable (out of memory, invalid value, attn4j's own codes). */
int32_t attn4j_error_is_recoverable(int32_t code);

/* Driver and devices */
int32_t attn4j_driver_library_present(void);   /* 1 if libcuda.so.1 can be loaded (or no driver is needed), else 0 */
int32_t attn4j_device_emulated(void);          /* 1 in the emulator build (cuda/emu: kernels run on the CPU), else 0 */
int32_t attn4j_driver_version(int32_t* version); /* 0 when no driver is installed */
int32_t attn4j_runtime_version(int32_t* version);
int32_t attn4j_device_count(int32_t* count);
int32_t attn4j_device_properties(int32_t device, int32_t* major, int32_t* minor, int32_t* multiprocessors,
                                 int64_t* total_memory, int64_t* max_shared_per_block, char* name, int32_t name_capacity);
int32_t attn4j_mem_info(int32_t device, int64_t* free_bytes, int64_t* total_bytes);

/* Memory and copies (host addresses are plain pointers to pinned or pageable host memory; host_capacity is how many
   bytes the host buffer holds from that address, checked against bytes). Host copies return when done. */
int32_t attn4j_malloc(int32_t device, int64_t bytes, int64_t* ptr);
int32_t attn4j_free(int32_t device, int64_t ptr); /* released after the work queued with it, on every stream */
int32_t attn4j_memcpy_h2d(int32_t device, int64_t dst, int64_t src_host, int64_t host_capacity, int64_t bytes,
                          int64_t stream);
int32_t attn4j_memcpy_d2h(int32_t device, int64_t dst_host, int64_t host_capacity, int64_t src, int64_t bytes,
                          int64_t stream);
int32_t attn4j_memcpy_d2d(int32_t device, int64_t dst, int64_t src, int64_t bytes, int64_t stream);
int32_t attn4j_memset(int32_t device, int64_t dst, int32_t value, int64_t bytes, int64_t stream);
int32_t attn4j_convert(int32_t device, int64_t stream, int64_t src, int32_t src_dtype, int64_t dst, int32_t dst_dtype,
                       int64_t elements);

/* Streams and events */
int32_t attn4j_stream_create(int32_t device, int64_t* stream);
int32_t attn4j_stream_destroy(int32_t device, int64_t stream);
int32_t attn4j_stream_synchronize(int32_t device, int64_t stream);
int32_t attn4j_device_synchronize(int32_t device);
int32_t attn4j_event_create(int32_t device, int64_t* event);
int32_t attn4j_event_destroy(int32_t device, int64_t event);
int32_t attn4j_event_record(int32_t device, int64_t event, int64_t stream);
int32_t attn4j_event_synchronize(int32_t device, int64_t event);
int32_t attn4j_event_elapsed_ms(int32_t device, int64_t start, int64_t stop, float* ms);

/* Mask plans: compressed tile rows/columns for one mask shape, built on the host, kept on the device. */
int32_t attn4j_plan_create(int32_t device, const int64_t* desc, int32_t desc_count, const uint8_t* block_cells,
                           int64_t block_cell_count, int64_t* plan);
int32_t attn4j_plan_info(int64_t plan, int64_t* info, int32_t info_count);
int32_t attn4j_plan_destroy(int64_t plan);

/* Device KV caches and decoding */
int32_t attn4j_kv_create(int32_t device, const int64_t* desc, int32_t desc_count, int64_t* cache);
int32_t attn4j_kv_destroy(int64_t cache); /* freed after the work queued with it */
/* Grows the cache to hold at least capacity positions per sequence (contents kept). */
int32_t attn4j_kv_reserve(int64_t cache, int32_t capacity, int64_t stream);
/* Appends counts[b] <= t positions to sequence b from device k [B, Hkv, t, D] and v [B, Hkv, t, Dv] of the cache's
   type; from[b] must be the sequence's current length (a check that caller and cache agree). */
int32_t attn4j_kv_append(int64_t cache, int64_t stream, int64_t k, int64_t v, int32_t t, const int32_t* counts,
                         const int32_t* from, int32_t batch);
/* Copies out a part of one (sequence, kv head): keys or values of its first `count` positions (the cache's type), or
   the float64 sums of its first `count` blocks, into host memory of host_capacity bytes. Returns when done. */
int32_t attn4j_kv_read(int64_t cache, int32_t part, int32_t sequence, int32_t kv_head, int32_t count,
                       int64_t dst_host, int64_t host_capacity, int64_t stream);
int32_t attn4j_kv_lengths(int64_t cache, int32_t* lengths, int32_t batch);
int32_t attn4j_decode(const int64_t* args, int32_t count, const uint8_t* block_cells, int64_t block_cell_count);

/* Attention */
int32_t attn4j_forward(const int64_t* args, int32_t count);
int32_t attn4j_backward(const int64_t* args, int32_t count);
/* Checks a forward/backward argument vector without launching anything (0 if it would be accepted). */
int32_t attn4j_forward_check(const int64_t* args, int32_t count);
int32_t attn4j_backward_check(const int64_t* args, int32_t count);

#ifdef __cplusplus
}
#endif

#endif /* ATTN4J_CUDA_H */
