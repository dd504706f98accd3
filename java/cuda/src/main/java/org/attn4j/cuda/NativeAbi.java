package org.attn4j.cuda;

/**
 * The constants of the C ABI in {@code cuda/include/attn4j_cuda.h}, by the same names without the {@code ATTN4J_}
 * prefix. A unit test reads the header and checks every value, so the two cannot drift apart.
 */
public final class NativeAbi {
    /** The ABI this Java code was written against; the native library must report the same. */
    public static final int ABI_VERSION = 3;

    // Error codes of attn4j itself (cudaError_t values stay below 10000).
    public static final int OK = 0;
    public static final int ERR_INVALID_ARGUMENT = 10001;
    public static final int ERR_UNSUPPORTED = 10002;
    public static final int ERR_HOST_MEMORY = 10003;
    public static final int ERR_INTERNAL = 10004;

    // Element types: the ordinals of org.attn4j.DType.
    public static final int FP32 = 0;
    public static final int FP16 = 1;
    public static final int BF16 = 2;

    // Normalizers: the ordinals of org.attn4j.Normalizer.
    public static final int SOFTMAX = 0;
    public static final int SPARSEMAX = 1;
    public static final int ENTMAX15 = 2;

    // Indices of the mask-plan descriptor.
    public static final int PLAN_NQ = 0;
    public static final int PLAN_NK = 1;
    public static final int PLAN_BATCH = 2;
    public static final int PLAN_Q_HEADS = 3;
    public static final int PLAN_KV_HEADS = 4;
    public static final int PLAN_CAUSAL = 5;
    public static final int PLAN_WINDOWED = 6;
    public static final int PLAN_WINDOW_LEFT = 7;
    public static final int PLAN_WINDOW_RIGHT = 8;
    public static final int PLAN_GLOBAL_TOKENS = 9;
    public static final int PLAN_HAS_BLOCK_MASK = 10;
    public static final int PLAN_BLOCK_BATCH = 11;
    public static final int PLAN_BLOCK_HEADS = 12;
    public static final int PLAN_BLOCK_QBLOCKS = 13;
    public static final int PLAN_BLOCK_KBLOCKS = 14;
    public static final int PLAN_BLOCK_BQ = 15;
    public static final int PLAN_BLOCK_BK = 16;
    public static final int PLAN_TOPK_BQ = 17;
    public static final int PLAN_TOPK_BK = 18;
    public static final int PLAN_COUNT = 19;

    // Indices of what attn4j_plan_info reports.
    public static final int PLAN_INFO_QTILES = 0;
    public static final int PLAN_INFO_KTILES = 1;
    public static final int PLAN_INFO_MASK_BATCH = 2;
    public static final int PLAN_INFO_MASK_HEADS = 3;
    public static final int PLAN_INFO_NONEMPTY_TILES = 4;
    public static final int PLAN_INFO_FULL_TILES = 5;
    public static final int PLAN_INFO_DEVICE_BYTES = 6;
    public static final int PLAN_INFO_TILE = 7;
    public static final int PLAN_INFO_COUNT = 8;

    // Indices of the forward argument vector.
    public static final int FWD_DEVICE = 0;
    public static final int FWD_STREAM = 1;
    public static final int FWD_PLAN = 2;
    public static final int FWD_Q = 3;
    public static final int FWD_K = 4;
    public static final int FWD_V = 5;
    public static final int FWD_O = 6;
    public static final int FWD_LSE = 7;
    public static final int FWD_DTYPE = 8;
    public static final int FWD_OUT_DTYPE = 9;
    public static final int FWD_BATCH = 10;
    public static final int FWD_Q_HEADS = 11;
    public static final int FWD_KV_HEADS = 12;
    public static final int FWD_NQ = 13;
    public static final int FWD_NK = 14;
    public static final int FWD_HEAD_DIM = 15;
    public static final int FWD_VALUE_DIM = 16;
    public static final int FWD_SCALE_BITS = 17;
    public static final int FWD_NORMALIZER = 18;
    public static final int FWD_TOPK_BLOCKS = 19;
    public static final int FWD_TOPK_TOKENS = 20;
    public static final int FWD_EVENT_START = 21;
    public static final int FWD_EVENT_STOP = 22;
    public static final int FWD_EVENT_SELECTED = 23;
    public static final int FWD_EVENT_THRESHOLDS = 24;
    public static final int FWD_COUNT = 25;

    // Indices of the backward argument vector.
    public static final int BWD_DEVICE = 0;
    public static final int BWD_STREAM = 1;
    public static final int BWD_PLAN = 2;
    public static final int BWD_Q = 3;
    public static final int BWD_K = 4;
    public static final int BWD_V = 5;
    public static final int BWD_O = 6;
    public static final int BWD_DO = 7;
    public static final int BWD_LSE = 8;
    public static final int BWD_DQ = 9;
    public static final int BWD_DK = 10;
    public static final int BWD_DV = 11;
    public static final int BWD_DTYPE = 12;
    public static final int BWD_O_DTYPE = 13;
    public static final int BWD_DO_DTYPE = 14;
    public static final int BWD_BATCH = 15;
    public static final int BWD_Q_HEADS = 16;
    public static final int BWD_KV_HEADS = 17;
    public static final int BWD_NQ = 18;
    public static final int BWD_NK = 19;
    public static final int BWD_HEAD_DIM = 20;
    public static final int BWD_VALUE_DIM = 21;
    public static final int BWD_SCALE_BITS = 22;
    public static final int BWD_NORMALIZER = 23;
    public static final int BWD_EVENT_START = 24;
    public static final int BWD_EVENT_STOP = 25;
    public static final int BWD_COUNT = 26;

    // Indices of the KV cache descriptor (attn4j_kv_create).
    public static final int KV_BATCH = 0;
    public static final int KV_KV_HEADS = 1;
    public static final int KV_HEAD_DIM = 2;
    public static final int KV_VALUE_DIM = 3;
    public static final int KV_DTYPE = 4;
    public static final int KV_CAPACITY = 5;
    public static final int KV_BLOCK_SIZE = 6;
    public static final int KV_COUNT = 7;

    // What attn4j_kv_read copies out.
    public static final int KV_KEYS = 0;
    public static final int KV_VALUES = 1;
    public static final int KV_BLOCK_SUMS = 2;

    // Indices of the decode argument vector.
    public static final int DEC_DEVICE = 0;
    public static final int DEC_STREAM = 1;
    public static final int DEC_CACHE = 2;
    public static final int DEC_Q = 3;
    public static final int DEC_O = 4;
    public static final int DEC_LSE = 5;
    public static final int DEC_OUT_DTYPE = 6;
    public static final int DEC_Q_HEADS = 7;
    public static final int DEC_NQ = 8;
    public static final int DEC_SCALE_BITS = 9;
    public static final int DEC_NORMALIZER = 10;
    public static final int DEC_WINDOWED = 11;
    public static final int DEC_WINDOW_LEFT = 12;
    public static final int DEC_GLOBAL_TOKENS = 13;
    public static final int DEC_HAS_BLOCK_MASK = 14;
    public static final int DEC_BLOCK_BATCH = 15;
    public static final int DEC_BLOCK_HEADS = 16;
    public static final int DEC_BLOCK_QBLOCKS = 17;
    public static final int DEC_BLOCK_KBLOCKS = 18;
    public static final int DEC_BLOCK_BQ = 19;
    public static final int DEC_BLOCK_BK = 20;
    public static final int DEC_TOPK_BLOCKS = 21;
    public static final int DEC_TOPK_PER_GROUP = 22;
    public static final int DEC_TOPK_TOKENS = 23;
    public static final int DEC_COUNT = 24;

    private NativeAbi() {
    }
}
