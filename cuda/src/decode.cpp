// The C ABI's device KV caches and decode step (SPEC "Decoding with a KV cache"): validate, then queue the append
// kernels or the decode passes (kernels_decode.cu) on the caller's stream, holding the cache while doing so.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <tuple>
#include <vector>

#include "abi_support.hpp"
#include "launch.hpp"
#include "workspace.hpp"

namespace attn4j {
namespace {

constexpr int64_t kMaxElements = int64_t{1} << 40;
constexpr size_t kMaxSharedPerBlock = 232448;  // sm_90's opt-in limit; sm_80 allows 163 KiB (the launch says so)

int32_t invalid(const std::string& message) {
    return fail(ATTN4J_ERR_INVALID_ARGUMENT, message);
}

int32_t find_cache(int64_t handle, std::shared_ptr<DeviceKvCache>& out) {
    out = Resources::instance().find_cache(handle);
    return out ? ATTN4J_OK : invalid("cache: unknown or destroyed handle " + std::to_string(handle));
}

bool head_dim_ok(int64_t d) {
    return d >= 8 && d <= 256 && d % 8 == 0;
}

/** Device memory of n bytes from the stream-ordered pool, zeroed, ready on every stream once synchronised. */
cudaError_t zeroed(int64_t bytes, void** out) {
    *out = nullptr;
    cudaError_t e = cudaMallocAsync(out, static_cast<size_t>(std::max<int64_t>(bytes, 256)), cudaStreamPerThread);
    if (e != cudaSuccess) {
        return e;
    }
    return cudaMemsetAsync(*out, 0, static_cast<size_t>(std::max<int64_t>(bytes, 256)), cudaStreamPerThread);
}

int32_t mark_cache_use(const StreamRef& stream, DeviceKvCache& cache, const std::vector<std::shared_ptr<Allocation>>& held) {
    cudaError_t e = cudaSuccess;
    auto mark = UseMark::record(stream.stream, e);
    if (!mark) {
        return cuda_fail(e, "cudaEventRecord (use mark)");
    }
    Resources::instance().note_cache_use(stream, mark, cache);
    Resources::instance().note_use(stream, mark, held, nullptr);
    return ATTN4J_OK;
}

}  // namespace
}  // namespace attn4j

using namespace attn4j;

extern "C" {

int32_t attn4j_kv_create(int32_t device, const int64_t* desc, int32_t desc_count, int64_t* cache) {
    return guarded("kv cache", [&]() -> int32_t {
        if (cache == nullptr) {
            return invalid("cache: expected an output pointer, got null");
        }
        *cache = 0;
        if (desc == nullptr || desc_count != ATTN4J_KV_COUNT) {
            return invalid("kv cache arguments: expected " + std::to_string(ATTN4J_KV_COUNT) + " values, got " +
                           std::to_string(desc_count));
        }
        const int64_t batch = desc[ATTN4J_KV_BATCH], heads = desc[ATTN4J_KV_KV_HEADS];
        const int64_t d = desc[ATTN4J_KV_HEAD_DIM], dv = desc[ATTN4J_KV_VALUE_DIM];
        const int64_t dtype = desc[ATTN4J_KV_DTYPE], capacity = desc[ATTN4J_KV_CAPACITY];
        const int64_t block = desc[ATTN4J_KV_BLOCK_SIZE];
        if (batch < 1 || batch > 65535) {
            return invalid("batch: expected 1..65535, got " + std::to_string(batch));
        }
        if (heads < 1 || heads > 65535) {
            return invalid("kv heads: expected 1..65535, got " + std::to_string(heads));
        }
        if (!head_dim_ok(d)) {
            return fail(ATTN4J_ERR_UNSUPPORTED, "head dim: expected a multiple of 8 up to 256, got " + std::to_string(d));
        }
        if (!head_dim_ok(dv)) {
            return fail(ATTN4J_ERR_UNSUPPORTED, "value dim: expected a multiple of 8 up to 256, got " +
                                                        std::to_string(dv));
        }
        if (dtype != ATTN4J_FP16 && dtype != ATTN4J_BF16) {
            return fail(ATTN4J_ERR_UNSUPPORTED, "dtype: expected fp16 or bf16, got " + std::to_string(dtype));
        }
        if (capacity < 1 || capacity > 2147483647LL) {
            return invalid("capacity: expected 1..2147483647, got " + std::to_string(capacity));
        }
        if (block < 1 || block > 2147483647LL) {
            return invalid("block size: expected 1..2147483647, got " + std::to_string(block));
        }
        if (batch * heads * capacity * std::max(d, dv) > kMaxElements) {
            return invalid("capacity: " + std::to_string(capacity) + " positions of " + std::to_string(batch) +
                           " x " + std::to_string(heads) + " heads are more than a cache holds");
        }
        if (int32_t r = check_device(device)) {
            return r;
        }
        auto c = std::make_shared<DeviceKvCache>();
        c->device = device;
        c->batch = static_cast<int32_t>(batch);
        c->kv_heads = static_cast<int32_t>(heads);
        c->d = static_cast<int32_t>(d);
        c->dv = static_cast<int32_t>(dv);
        c->dtype = static_cast<int32_t>(dtype);
        c->capacity = static_cast<int32_t>(capacity);
        c->block_size = static_cast<int32_t>(block);
        c->block_capacity = static_cast<int32_t>((capacity + block - 1) / block);
        c->lengths.assign(static_cast<size_t>(batch), 0);
        const int64_t rows = batch * heads;
        void *k, *v, *sums, *lengths;
        ATTN4J_TRY(zeroed(rows * capacity * d * 2, &k), "kv cache: cudaMallocAsync (keys)");
        c->k = k;
        ATTN4J_TRY(zeroed(rows * capacity * dv * 2, &v), "kv cache: cudaMallocAsync (values)");
        c->v = v;
        ATTN4J_TRY(zeroed(rows * c->block_capacity * d * 8, &sums), "kv cache: cudaMallocAsync (block sums)");
        c->block_sums = static_cast<double*>(sums);
        ATTN4J_TRY(zeroed(batch * 4, &lengths), "kv cache: cudaMallocAsync (lengths)");
        c->device_lengths = static_cast<int32_t*>(lengths);
        ATTN4J_TRY(cudaStreamSynchronize(cudaStreamPerThread), "kv cache: cudaStreamSynchronize");
        *cache = Resources::instance().add_cache(c);
        return ATTN4J_OK;
    });
}

int32_t attn4j_kv_destroy(int64_t cache) {
    // Calls holding the cache keep it; its memory is freed after their work, in stream order.
    return Resources::instance().remove_cache(cache)
            ? ATTN4J_OK
            : invalid("cache: unknown or destroyed handle " + std::to_string(cache));
}

int32_t attn4j_kv_lengths(int64_t cache, int32_t* lengths, int32_t batch) {
    std::shared_ptr<DeviceKvCache> c;
    if (int32_t r = find_cache(cache, c)) {
        return r;
    }
    if (lengths == nullptr || batch != c->batch) {
        return invalid("lengths: expected room for " + std::to_string(c->batch) + " values");
    }
    std::lock_guard<std::mutex> lock(c->mutex);
    std::copy(c->lengths.begin(), c->lengths.end(), lengths);
    return ATTN4J_OK;
}

int32_t attn4j_kv_reserve(int64_t cache, int32_t capacity, int64_t stream) {
    return guarded("kv reserve", [&]() -> int32_t {
        std::shared_ptr<DeviceKvCache> c;
        if (int32_t r = find_cache(cache, c)) {
            return r;
        }
        StreamRef s;
        if (int32_t r = resolve_stream(stream, s)) {
            return r;
        }
        std::lock_guard<std::mutex> lock(c->mutex);
        if (capacity <= c->capacity) {
            return ATTN4J_OK;
        }
        const int64_t rows = static_cast<int64_t>(c->batch) * c->kv_heads;
        if (rows * capacity * std::max(c->d, c->dv) > kMaxElements) {
            return invalid("capacity: " + std::to_string(capacity) + " positions are more than a cache holds");
        }
        ATTN4J_TRY(cudaSetDevice(c->device), "cudaSetDevice");
        const int32_t blocks = static_cast<int32_t>((static_cast<int64_t>(capacity) + c->block_size - 1) / c->block_size);
        void *k, *v, *sums;
        ATTN4J_TRY(zeroed(rows * capacity * c->d * 2, &k), "kv reserve: cudaMallocAsync (keys)");
        ATTN4J_TRY(zeroed(rows * capacity * c->dv * 2, &v), "kv reserve: cudaMallocAsync (values)");
        ATTN4J_TRY(zeroed(rows * blocks * c->d * 8, &sums), "kv reserve: cudaMallocAsync (block sums)");
        // The new memory is ready once the default stream is; the copies run on it after the cache's last uses.
        ATTN4J_TRY(cudaStreamSynchronize(cudaStreamPerThread), "kv reserve: cudaStreamSynchronize");
        for (const auto& [key, mark] : c->uses) {
            ATTN4J_TRY(cudaStreamWaitEvent(s.stream, mark->event(), 0), "kv reserve: cudaStreamWaitEvent");
        }
        for (int64_t r = 0; r < rows; ++r) {
            ATTN4J_TRY(cudaMemcpyAsync(static_cast<char*>(k) + r * capacity * c->d * 2,
                                        static_cast<char*>(c->k) + r * c->capacity * c->d * 2,
                                        static_cast<size_t>(c->capacity) * c->d * 2, cudaMemcpyDeviceToDevice,
                                        s.stream),
                        "kv reserve: copy of the keys");
            ATTN4J_TRY(cudaMemcpyAsync(static_cast<char*>(v) + r * capacity * c->dv * 2,
                                        static_cast<char*>(c->v) + r * c->capacity * c->dv * 2,
                                        static_cast<size_t>(c->capacity) * c->dv * 2, cudaMemcpyDeviceToDevice,
                                        s.stream),
                        "kv reserve: copy of the values");
            ATTN4J_TRY(cudaMemcpyAsync(static_cast<char*>(sums) + r * blocks * c->d * 8,
                                        reinterpret_cast<char*>(c->block_sums) + r * c->block_capacity * c->d * 8,
                                        static_cast<size_t>(c->block_capacity) * c->d * 8, cudaMemcpyDeviceToDevice,
                                        s.stream),
                        "kv reserve: copy of the block sums");
        }
        // The old memory goes after the copies (and every earlier use).
        cudaError_t e = cudaSuccess;
        auto mark = UseMark::record(s.stream, e);
        if (!mark) {
            return cuda_fail(e, "kv reserve: cudaEventRecord");
        }
        Resources::instance().note_cache_use(s, mark, *c);
        LastUses uses;
        {
            // A snapshot: the destructor of a mark may run under the registry's lock only.
            uses = c->uses;
        }
        free_after_uses(c->k, uses);
        free_after_uses(c->v, uses);
        free_after_uses(c->block_sums, uses);
        c->k = k;
        c->v = v;
        c->block_sums = static_cast<double*>(sums);
        c->capacity = capacity;
        c->block_capacity = blocks;
        return ATTN4J_OK;
    });
}

int32_t attn4j_kv_append(int64_t cache, int64_t stream, int64_t k, int64_t v, int32_t t, const int32_t* counts,
                         const int32_t* from, int32_t batch) {
    return guarded("kv append", [&]() -> int32_t {
        std::shared_ptr<DeviceKvCache> c;
        if (int32_t r = find_cache(cache, c)) {
            return r;
        }
        if (counts == nullptr || from == nullptr || batch != c->batch) {
            return invalid("counts, from: expected " + std::to_string(c->batch) + " values each");
        }
        if (t < 0) {
            return invalid("t: expected >= 0, got " + std::to_string(t));
        }
        StreamRef s;
        if (int32_t r = resolve_stream(stream, s)) {
            return r;
        }
        std::lock_guard<std::mutex> lock(c->mutex);
        for (int32_t b = 0; b < batch; ++b) {
            if (from[b] != c->lengths[b]) {
                return invalid("from[" + std::to_string(b) + "]: the cache holds " + std::to_string(c->lengths[b]) +
                               " positions of that sequence, the caller thinks " + std::to_string(from[b]));
            }
            if (counts[b] < 0 || counts[b] > t) {
                return invalid("counts[" + std::to_string(b) + "]: expected 0.." + std::to_string(t) + ", got " +
                               std::to_string(counts[b]));
            }
            if (static_cast<int64_t>(from[b]) + counts[b] > c->capacity) {
                return invalid("counts[" + std::to_string(b) + "]: " + std::to_string(counts[b]) +
                               " more positions do not fit the capacity " + std::to_string(c->capacity) +
                               " (reserve first)");
            }
        }
        if (t == 0) {
            return ATTN4J_OK;
        }
        const int64_t rows = static_cast<int64_t>(c->batch) * c->kv_heads * t;
        std::vector<std::shared_ptr<Allocation>> held(2);
        for (int i = 0; i < 2; ++i) {
            const int64_t ptr = i == 0 ? k : v;
            const int64_t bytes = rows * (i == 0 ? c->d : c->dv) * 2;
            held[i] = Resources::instance().find_allocation(ptr, bytes);
            if (!held[i]) {
                return invalid(std::string(i == 0 ? "k" : "v") + ": [" + std::to_string(ptr) + ", +" +
                               std::to_string(bytes) + ") is not inside one live allocation of attn4j_malloc");
            }
        }
        ATTN4J_TRY(cudaSetDevice(c->device), "cudaSetDevice");
        Workspace scratch(s.stream);
        void* arrays;
        ATTN4J_TRY(scratch.take(8LL * batch, &arrays), "kv append: cudaMallocAsync");
        std::vector<int32_t> host(2 * static_cast<size_t>(batch));
        std::copy(from, from + batch, host.begin());
        std::copy(counts, counts + batch, host.begin() + batch);
        // From pageable memory: staged before the call returns, so the vector may go.
        ATTN4J_TRY(cudaMemcpyAsync(arrays, host.data(), host.size() * 4, cudaMemcpyHostToDevice, s.stream),
                    "kv append: counts upload");
        KvAppendParams p;
        p.k_new = reinterpret_cast<const void*>(k);
        p.v_new = reinterpret_cast<const void*>(v);
        p.k = c->k;
        p.v = c->v;
        p.block_sums = c->block_sums;
        p.from = static_cast<const int32_t*>(arrays);
        p.counts = static_cast<const int32_t*>(arrays) + batch;
        p.batch = c->batch;
        p.kv_heads = c->kv_heads;
        p.t = t;
        p.d = c->d;
        p.dv = c->dv;
        p.capacity = c->capacity;
        p.block_size = c->block_size;
        p.block_capacity = c->block_capacity;
        p.dtype = c->dtype;
        ATTN4J_TRY(launch_kv_append(p, s.stream), "kv append kernels");
        for (int32_t b = 0; b < batch; ++b) {
            c->lengths[b] += counts[b];
        }
        ATTN4J_TRY(cudaMemcpyAsync(c->device_lengths, c->lengths.data(), c->lengths.size() * 4,
                                    cudaMemcpyHostToDevice, s.stream),
                    "kv append: lengths upload");
        ATTN4J_TRY(scratch.release(), "kv append: cudaFreeAsync");
        return mark_cache_use(s, *c, held);
    });
}

int32_t attn4j_kv_read(int64_t cache, int32_t part, int32_t sequence, int32_t kv_head, int32_t count,
                       int64_t dst_host, int64_t host_capacity, int64_t stream) {
    return guarded("kv read", [&]() -> int32_t {
        std::shared_ptr<DeviceKvCache> c;
        if (int32_t r = find_cache(cache, c)) {
            return r;
        }
        if (part < ATTN4J_KV_KEYS || part > ATTN4J_KV_BLOCK_SUMS) {
            return invalid("part: expected 0 (keys), 1 (values) or 2 (block sums), got " + std::to_string(part));
        }
        if (sequence < 0 || sequence >= c->batch) {
            return invalid("sequence: expected 0.." + std::to_string(c->batch - 1) + ", got " +
                           std::to_string(sequence));
        }
        if (kv_head < 0 || kv_head >= c->kv_heads) {
            return invalid("kv head: expected 0.." + std::to_string(c->kv_heads - 1) + ", got " +
                           std::to_string(kv_head));
        }
        StreamRef s;
        if (int32_t r = resolve_stream(stream, s)) {
            return r;
        }
        std::lock_guard<std::mutex> lock(c->mutex);
        const int64_t limit = part == ATTN4J_KV_BLOCK_SUMS ? c->block_capacity : c->lengths[sequence];
        if (count < 0 || count > limit) {
            return invalid("count: expected 0.." + std::to_string(limit) + ", got " + std::to_string(count));
        }
        const int64_t row = static_cast<int64_t>(sequence) * c->kv_heads + kv_head;
        const char* src;
        int64_t bytes;
        if (part == ATTN4J_KV_KEYS) {
            src = static_cast<const char*>(c->k) + row * c->capacity * c->d * 2;
            bytes = static_cast<int64_t>(count) * c->d * 2;
        } else if (part == ATTN4J_KV_VALUES) {
            src = static_cast<const char*>(c->v) + row * c->capacity * c->dv * 2;
            bytes = static_cast<int64_t>(count) * c->dv * 2;
        } else {
            src = reinterpret_cast<const char*>(c->block_sums) + row * c->block_capacity * c->d * 8;
            bytes = static_cast<int64_t>(count) * c->d * 8;
        }
        if (bytes == 0) {
            return ATTN4J_OK;
        }
        if (dst_host == 0 || host_capacity < bytes) {
            return invalid("dst_host: " + std::to_string(bytes) + " bytes do not fit in the host buffer's " +
                           std::to_string(host_capacity) + " bytes");
        }
        ATTN4J_TRY(cudaSetDevice(c->device), "cudaSetDevice");
        ATTN4J_TRY(cudaMemcpyAsync(reinterpret_cast<void*>(dst_host), src, static_cast<size_t>(bytes),
                                    cudaMemcpyDeviceToHost, s.stream),
                    "kv read: cudaMemcpyAsync");
        ATTN4J_TRY(cudaStreamSynchronize(s.stream), "kv read: cudaStreamSynchronize");
        return ATTN4J_OK;
    });
}

int32_t attn4j_decode(const int64_t* args, int32_t count, const uint8_t* block_cells, int64_t block_cell_count) {
    return guarded("decode", [&]() -> int32_t {
        if (args == nullptr || count != ATTN4J_DEC_COUNT) {
            return invalid("decode arguments: expected " + std::to_string(ATTN4J_DEC_COUNT) + " values, got " +
                           std::to_string(count));
        }
        std::shared_ptr<DeviceKvCache> c;
        if (int32_t r = find_cache(args[ATTN4J_DEC_CACHE], c)) {
            return r;
        }
        const int64_t q_heads = args[ATTN4J_DEC_Q_HEADS], nq = args[ATTN4J_DEC_NQ];
        if (q_heads < 1 || q_heads % c->kv_heads != 0 || q_heads > 65535) {
            return invalid("query heads: expected a multiple of the cache's " + std::to_string(c->kv_heads) +
                           " kv heads, got " + std::to_string(q_heads));
        }
        if (nq < 1) {
            return invalid("queries: expected >= 1, got " + std::to_string(nq));
        }
        const int64_t group = q_heads / c->kv_heads;
        if (group * nq > 64) {
            return fail(ATTN4J_ERR_UNSUPPORTED, "queries: a kv head's group of " + std::to_string(group) +
                                                        " query heads times " + std::to_string(nq) +
                                                        " queries exceeds the 64 rows one decode CTA serves");
        }
        const int64_t out_dtype = args[ATTN4J_DEC_OUT_DTYPE];
        if (out_dtype < 0 || out_dtype > 2) {
            return invalid("out dtype: expected 0 (fp32), 1 (fp16) or 2 (bf16), got " + std::to_string(out_dtype));
        }
        double scale;
        std::memcpy(&scale, &args[ATTN4J_DEC_SCALE_BITS], 8);
        if (!std::isfinite(scale)) {
            return invalid("scale: expected a finite number");
        }
        const int64_t normalizer = args[ATTN4J_DEC_NORMALIZER];
        if (normalizer < 0 || normalizer > 2) {
            return invalid("normalizer: expected 0 (softmax), 1 (sparsemax) or 2 (entmax15), got " +
                           std::to_string(normalizer));
        }
        if (args[ATTN4J_DEC_LSE] != 0 && normalizer != ATTN4J_SOFTMAX) {
            return invalid("lse: exists for softmax only");
        }
        const int64_t windowed = args[ATTN4J_DEC_WINDOWED], left = args[ATTN4J_DEC_WINDOW_LEFT];
        const int64_t global = args[ATTN4J_DEC_GLOBAL_TOKENS];
        if ((windowed != 0 && windowed != 1) || left < 0 || left > 2147483647LL || global < 0 ||
            global > 2147483647LL || (global > 0 && windowed == 0)) {
            return invalid("window: expected left >= 0 and global tokens >= 0 (only with a window)");
        }
        const int64_t topk_blocks = args[ATTN4J_DEC_TOPK_BLOCKS], per_group = args[ATTN4J_DEC_TOPK_PER_GROUP];
        const int64_t topk_tokens = args[ATTN4J_DEC_TOPK_TOKENS];
        if (topk_blocks < 0 || topk_blocks > 2147483647LL || (per_group != 0 && per_group != 1) || topk_tokens < 0 ||
            topk_tokens > 2147483647LL) {
            return invalid("top-k: expected k >= 0 (0: none)");
        }
        std::lock_guard<std::mutex> lock(c->mutex);
        const int64_t batch = c->batch;
        const int32_t max_length = *std::max_element(c->lengths.begin(), c->lengths.end());
        DecodeParams p;
        const int64_t has_block = args[ATTN4J_DEC_HAS_BLOCK_MASK];
        if (has_block != 0) {
            const int64_t mb = args[ATTN4J_DEC_BLOCK_BATCH], mh = args[ATTN4J_DEC_BLOCK_HEADS];
            const int64_t qb = args[ATTN4J_DEC_BLOCK_QBLOCKS], kb = args[ATTN4J_DEC_BLOCK_KBLOCKS];
            const int64_t bq = args[ATTN4J_DEC_BLOCK_BQ], bk = args[ATTN4J_DEC_BLOCK_BK];
            if ((mb != 1 && mb != batch) || (mh != 1 && mh != q_heads) || bq < 1 || bk < 1 || bq > 2147483647LL ||
                bk > 2147483647LL || qb < (max_length + bq - 1) / bq || kb < (max_length + bk - 1) / bk ||
                qb > 2147483647LL || kb > 2147483647LL) {
                return invalid("blockMask: expected shape [1|B, 1|Hq, QB, KB] covering the " +
                               std::to_string(max_length) + " positions held, with blocks BQ, BK >= 1");
            }
            if (block_cells == nullptr || block_cell_count != mb * mh * qb * kb) {
                return invalid("blockMask cells: expected " + std::to_string(mb * mh * qb * kb) + " bytes, got " +
                               std::to_string(block_cell_count));
            }
            p.block_mb = static_cast<int32_t>(mb);
            p.block_mh = static_cast<int32_t>(mh);
            p.block_qb = static_cast<int32_t>(qb);
            p.block_kb = static_cast<int32_t>(kb);
            p.block_bq = static_cast<int32_t>(bq);
            p.block_bk = static_cast<int32_t>(bk);
        }
        const int64_t rows = batch * q_heads * nq;
        const int64_t d = c->d, dv = c->dv;
        std::vector<std::shared_ptr<Allocation>> held;
        for (const auto& [field, ptr, bytes] :
             {std::tuple<const char*, int64_t, int64_t>{"q", args[ATTN4J_DEC_Q], rows * d * 2},
              {"o", args[ATTN4J_DEC_O], rows * dv * (out_dtype == ATTN4J_FP32 ? 4 : 2)},
              {"lse", args[ATTN4J_DEC_LSE], rows * 4}}) {
            if (ptr == 0 && std::string(field) == "lse") {
                continue;
            }
            auto a = Resources::instance().find_allocation(ptr, bytes);
            if (!a) {
                return invalid(std::string("decode: ") + field + ": [" + std::to_string(ptr) + ", +" +
                               std::to_string(bytes) + ") is not inside one live allocation of attn4j_malloc");
            }
            held.push_back(std::move(a));
        }
        StreamRef s;
        if (int32_t r = resolve_stream(args[ATTN4J_DEC_STREAM], s)) {
            return r;
        }
        if (args[ATTN4J_DEC_DEVICE] != c->device) {
            return invalid("device: the cache is on cuda:" + std::to_string(c->device));
        }
        p.q = reinterpret_cast<const void*>(args[ATTN4J_DEC_Q]);
        p.k = c->k;
        p.v = c->v;
        p.block_sums = c->block_sums;
        p.lengths = c->device_lengths;
        p.batch = c->batch;
        p.q_heads = static_cast<int32_t>(q_heads);
        p.kv_heads = c->kv_heads;
        p.group = static_cast<int32_t>(group);
        p.nq = static_cast<int32_t>(nq);
        p.d = c->d;
        p.dv = c->dv;
        p.capacity = c->capacity;
        p.block_size = c->block_size;
        p.block_capacity = c->block_capacity;
        p.max_length = max_length;
        p.scale = kernel_scale(scale);
        p.scale_d = scale;
        p.windowed = static_cast<int32_t>(windowed);
        p.left = static_cast<int32_t>(left);
        p.global = static_cast<int32_t>(global);
        p.topk_blocks = static_cast<int32_t>(topk_blocks);
        p.per_group = static_cast<int32_t>(per_group);
        p.topk_tokens = static_cast<int32_t>(topk_tokens);
        p.normalizer = static_cast<int32_t>(normalizer);
        p.o = reinterpret_cast<void*>(args[ATTN4J_DEC_O]);
        p.lse = reinterpret_cast<float*>(args[ATTN4J_DEC_LSE]);
        p.out_dtype = static_cast<int32_t>(out_dtype);
        p.dtype = c->dtype;
        if (decode_scores_smem(p) > kMaxSharedPerBlock || decode_output_smem(p) > kMaxSharedPerBlock) {
            return fail(ATTN4J_ERR_UNSUPPORTED, "decode: head dims and queries need more shared memory than 227 KiB");
        }
        ATTN4J_TRY(cudaSetDevice(c->device), "cudaSetDevice");
        Workspace scratch(s.stream);
        void *scores, *o_acc;
        const int64_t row_length = std::max<int64_t>(max_length, 1);
        ATTN4J_TRY(scratch.take(rows * row_length * 4, &scores), "decode: cudaMallocAsync (scores)");
        ATTN4J_TRY(scratch.take(rows * dv * 4, &o_acc), "decode: cudaMallocAsync (output)");
        ATTN4J_TRY(cudaMemsetAsync(scores, 0xFF, static_cast<size_t>(rows * row_length * 4), s.stream),
                    "decode: cudaMemsetAsync");
        ATTN4J_TRY(cudaMemsetAsync(o_acc, 0, static_cast<size_t>(rows * dv * 4), s.stream), "decode: cudaMemsetAsync");
        p.scores = static_cast<float*>(scores);
        p.o_acc = static_cast<float*>(o_acc);
        if (has_block != 0) {
            void* cells;
            ATTN4J_TRY(scratch.take(block_cell_count, &cells), "decode: cudaMallocAsync (block mask)");
            ATTN4J_TRY(cudaMemcpyAsync(cells, block_cells, static_cast<size_t>(block_cell_count),
                                        cudaMemcpyHostToDevice, s.stream),
                        "decode: block mask upload");
            p.block_cells = static_cast<const uint8_t*>(cells);
        }
        if (topk_blocks > 0) {
            const int64_t select_rows = batch * (per_group ? c->kv_heads : q_heads) * nq;
            void *chosen, *block_scores;
            ATTN4J_TRY(scratch.take(select_rows * c->block_capacity, &chosen), "decode: cudaMallocAsync");
            ATTN4J_TRY(scratch.take(select_rows * c->block_capacity * 8, &block_scores), "decode: cudaMallocAsync");
            p.chosen = static_cast<uint8_t*>(chosen);
            ATTN4J_TRY(launch_decode_select(p, static_cast<double*>(block_scores), select_rows, s.stream),
                        "decode: block selection");
        }
        ATTN4J_TRY(launch_decode_scores(p, s.stream), "decode: scores");
        ATTN4J_TRY(launch_decode_rows(p, s.stream), "decode: normalizer");
        ATTN4J_TRY(launch_decode_output(p, s.stream), "decode: output");
        ATTN4J_TRY(launch_convert(o_acc, ATTN4J_FP32, p.o, static_cast<int>(out_dtype), rows * dv, s.stream),
                    "decode: output conversion");
        ATTN4J_TRY(scratch.release(), "decode: cudaFreeAsync");
        return mark_cache_use(s, *c, held);
    });
}

}  // extern "C"
