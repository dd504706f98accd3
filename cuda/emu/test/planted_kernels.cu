// See planted_kernels.hpp. Compiled exactly like the attention kernels (a kernel translation unit of the emulator
// build), launched through the same helper.
#include "planted_kernels.hpp"

#include "../../host/fragments.hpp"
#include "../../src/device/ptx.cuh"
#include "../../src/kernel_launch.cuh"

namespace attn4j {

// The kernels live in namespace attn4j, as the attention kernels do: their `extern __shared__ smem_raw` is the
// emulator's per-thread array attn4j::smem_raw.
namespace {
constexpr int kStride = 16 + 8;  // padded shared rows of 16 fp16 values, as the kernels pad theirs
}

__global__ void product_kernel(int pairing, const uint16_t* a, const float* a_fp32, const uint16_t* b, float* d) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    auto* as = reinterpret_cast<uint16_t*>(smem_raw);
    auto* bs = as + 16 * kStride;
    const int lane = threadIdx.x;
    for (int e = lane; e < 256; e += 32) {
        if (pairing != 1) {
            as[(e / 16) * kStride + e % 16] = a[e];
        }
        bs[(e / 16) * kStride + e % 16] = b[e];
    }
    __syncthreads();
    uint32_t af[4];
    if (pairing == 0) {  // A row-major [m][k]
        int r, c;
        frag::a_rowmajor(lane, r, c);
        ptx::ldmatrix_x4(af, as + r * kStride + c);
    } else if (pairing == 2) {  // A stored transposed as [k][m]
        int r, c;
        frag::a_from_km(lane, r, c);
        ptx::ldmatrix_x4_trans(af, as + r * kStride + c);
    } else {  // A from fp32 accumulator layout, as P in O += P V
        float p[2][4];
        for (int nt = 0; nt < 2; ++nt) {
            for (int i = 0; i < 4; ++i) {
                p[nt][i] = a_fp32[frag::acc_row(lane, i) * 16 + 8 * nt + frag::acc_col(lane, i)];
            }
        }
        af[0] = ptx::pack2<__half>(p[0][0], p[0][1]);
        af[1] = ptx::pack2<__half>(p[0][2], p[0][3]);
        af[2] = ptx::pack2<__half>(p[1][0], p[1][1]);
        af[3] = ptx::pack2<__half>(p[1][2], p[1][3]);
    }
    uint32_t bf[4];
    int r, c;
    if (pairing == 0) {  // B given as [n][k]
        frag::b_from_nk(lane, r, c);
        ptx::ldmatrix_x4(bf, bs + r * kStride + c);
    } else {  // B as [k][n]
        frag::b_from_kn(lane, r, c);
        ptx::ldmatrix_x4_trans(bf, bs + r * kStride + c);
    }
    float acc[2][4] = {{0, 0, 0, 0}, {0, 0, 0, 0}};
    ptx::mma_16816<__half>(acc[0], af, bf[0], bf[1]);
    ptx::mma_16816<__half>(acc[1], af, bf[2], bf[3]);
    for (int nt = 0; nt < 2; ++nt) {
        for (int i = 0; i < 4; ++i) {
            d[frag::acc_row(lane, i) * 16 + 8 * nt + frag::acc_col(lane, i)] = acc[nt][i];
        }
    }
}

__global__ void builtins_kernel(int32_t* out) {
    const int tid = threadIdx.x;
    const int lane = tid & 31;
    int x = lane;
    x = x * 100 + __shfl_xor_sync(0xffffffffu, lane, 1);
    x = x * 100 + __shfl_xor_sync(0xffffffffu, lane, 16);
    const int all = __all_sync(0xffffffffu, tid < 40);
    const int any = __syncthreads_or(tid == 63);
    out[tid] = x * 10 + all * 2 + any;
}

__global__ void copy_ints_kernel(const int32_t* in, int32_t* out, int n) {
    const int t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t < n) {
        out[t] = in[t];
    }
}

__global__ void missing_barrier_kernel(float* out) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    auto* slots = reinterpret_cast<float*>(smem_raw);
    const int tid = threadIdx.x;
    slots[tid] = static_cast<float>(tid);
    // BUG: __syncthreads() missing.
    out[tid] = slots[(tid + 1) % 128];
}

__global__ void missing_barrier_war_kernel(float* out) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    auto* slots = reinterpret_cast<float*>(smem_raw);
    const int tid = threadIdx.x;
    slots[tid] = static_cast<float>(tid);
    __syncthreads();
    const float mine = slots[(tid + 1) % 128];
    // BUG: a barrier is missing here: the neighbour may not have read this slot yet.
    slots[tid] = mine * 2.0f;
    out[tid] = mine;
}

__global__ void wrong_wait_kernel(const float* in, float* out) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    auto* tile = reinterpret_cast<float*>(smem_raw);
    const int tid = threadIdx.x;
    ptx::cp_async_16(tile + 4 * tid, in + 4 * tid, true);
    ptx::cp_async_commit();
    ptx::cp_async_wait<1>();  // BUG: with one group in flight this waits for nothing
    __syncthreads();
    out[tid] = tile[4 * tid];
}

__global__ void oob_read_kernel(const float* in, int n, float* out) {
    const int tid = threadIdx.x;
    out[tid] = in[n - 128 + tid + 1];  // BUG: the last thread reads in[n]
}

__global__ void oob_cp_async_kernel(const float* in, int n, float* out) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    auto* tile = reinterpret_cast<float*>(smem_raw);
    const int tid = threadIdx.x;
    ptx::cp_async_16(tile + 4 * tid, in + 4 * tid, 4 * tid <= n);  // BUG: should be 4 * tid + 4 <= n
    ptx::cp_async_commit();
    ptx::cp_async_wait<0>();
    __syncthreads();
    out[tid] = tile[4 * tid];
}

__global__ void shared_oob_kernel(float* out, int smem_bytes) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    auto* slots = reinterpret_cast<float*>(smem_raw);
    const int tid = threadIdx.x;
    slots[smem_bytes / 4 - 128 + tid + 1] = 1.0f;  // BUG: the last thread writes one float past the end
    out[tid] = 0.0f;
}

__global__ void divergent_barrier_kernel(float* out) {
    const int tid = threadIdx.x;
    if (tid < 64) {
        __syncthreads();
    } else {
        __syncthreads();  // BUG: a different barrier
    }
    out[tid] = 1.0f;
}

__global__ void partial_barrier_kernel(float* out) {
    const int tid = threadIdx.x;
    if (tid < 64) {
        __syncthreads();  // BUG: threads 64.. never arrive
    }
    out[tid] = 1.0f;
}

__global__ void divergent_warp_kernel(float* out) {
    const int lane = threadIdx.x & 31;
    int v;
    if (lane < 16) {
        v = __shfl_xor_sync(0xffffffffu, lane, 1);
    } else {
        v = __all_sync(0xffffffffu, 1);  // BUG: the other half of the warp is at a different collective
    }
    out[threadIdx.x] = static_cast<float>(v);
}

__global__ void misaligned_ldmatrix_kernel(float* out) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    auto* rows = reinterpret_cast<uint16_t*>(smem_raw);
    const int lane = threadIdx.x;
    for (int e = lane; e < 32 * 16; e += 32) {
        rows[e] = 0;
    }
    __syncthreads();
    uint32_t r[4];
    ptx::ldmatrix_x4(r, rows + 16 * lane + 4);  // BUG: 8 bytes off a 16-byte boundary
    out[lane] = static_cast<float>(r[0]);
}

__global__ void large_shared_kernel(float* out, int smem_bytes) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    const int tid = threadIdx.x;
    smem_raw[smem_bytes - 1 - tid] = 1;
    out[tid] = 1.0f;
}

namespace planted {

cudaError_t product(Pairing pairing, const uint16_t* a, const float* a_fp32, const uint16_t* b, float* d,
                    cudaStream_t s) {
    return launch_kernel<product_kernel>(dim3(1), dim3(32), 2 * 16 * kStride * 2, s, static_cast<int>(pairing), a,
                                         a_fp32, b, d);
}

cudaError_t builtins(int32_t* out, cudaStream_t s) {
    return launch_kernel<builtins_kernel>(dim3(1), dim3(64), 0, s, out);
}

cudaError_t copy_ints(const int32_t* in, int32_t* out, int n, cudaStream_t s) {
    return launch_kernel<copy_ints_kernel>(dim3((n + 127) / 128), dim3(128), 0, s, in, out, n);
}

cudaError_t missing_barrier(float* out, cudaStream_t s) {
    return launch_kernel<missing_barrier_kernel>(dim3(1), dim3(128), 512, s, out);
}

cudaError_t missing_barrier_war(float* out, cudaStream_t s) {
    return launch_kernel<missing_barrier_war_kernel>(dim3(1), dim3(128), 512, s, out);
}

cudaError_t wrong_wait_count(const float* in, float* out, cudaStream_t s) {
    return launch_kernel<wrong_wait_kernel>(dim3(1), dim3(128), 128 * 16, s, in, out);
}

cudaError_t out_of_bounds_read(const float* in, int n, float* out, cudaStream_t s) {
    return launch_kernel<oob_read_kernel>(dim3(1), dim3(128), 0, s, in, n, out);
}

cudaError_t out_of_bounds_cp_async(const float* in, int n, float* out, cudaStream_t s) {
    return launch_kernel<oob_cp_async_kernel>(dim3(1), dim3(128), 128 * 16, s, in, n, out);
}

cudaError_t shared_out_of_bounds(float* out, int smem_bytes, cudaStream_t s) {
    return launch_kernel<shared_oob_kernel>(dim3(1), dim3(128), static_cast<size_t>(smem_bytes), s, out, smem_bytes);
}

cudaError_t divergent_barrier(float* out, cudaStream_t s) {
    return launch_kernel<divergent_barrier_kernel>(dim3(1), dim3(128), 0, s, out);
}

cudaError_t partial_barrier(float* out, cudaStream_t s) {
    return launch_kernel<partial_barrier_kernel>(dim3(1), dim3(128), 0, s, out);
}

cudaError_t divergent_warp(float* out, cudaStream_t s) {
    return launch_kernel<divergent_warp_kernel>(dim3(1), dim3(32), 0, s, out);
}

cudaError_t misaligned_ldmatrix(float* out, cudaStream_t s) {
    return launch_kernel<misaligned_ldmatrix_kernel>(dim3(1), dim3(32), 32 * 16 * 2 + 64, s, out);
}

cudaError_t large_shared(float* out, int smem_bytes, bool opt_in, cudaStream_t s) {
    if (opt_in) {
        const cudaError_t e = cudaFuncSetAttribute(reinterpret_cast<const void*>(large_shared_kernel),
                                                   cudaFuncAttributeMaxDynamicSharedMemorySize, smem_bytes);
        if (e != cudaSuccess) {
            return e;
        }
    }
    return launch_kernel<large_shared_kernel>(dim3(1), dim3(32), static_cast<size_t>(smem_bytes), s, out, smem_bytes);
}

}  // namespace planted
}  // namespace attn4j
