/* Peak fp32 FMA rate: independent FMA chains on vector registers, one thread per core (OpenMP).
 * gcc -O3 -march=native -fopenmp peak_fma.c -o peak_fma ; ./peak_fma */
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
#include <time.h>

#define CHAINS 12
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }

static float run(long iters, int width512) {
    float sink = 0;
    if (width512) {
        __m512 a[CHAINS]; __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
        for (int i = 0; i < CHAINS; i++) a[i] = _mm512_set1_ps((float) i);
        for (long n = 0; n < iters; n++)
            for (int i = 0; i < CHAINS; i++) a[i] = _mm512_fmadd_ps(a[i], x, y);
        for (int i = 0; i < CHAINS; i++) sink += _mm512_reduce_add_ps(a[i]);
    } else {
        __m256 a[CHAINS]; __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
        for (int i = 0; i < CHAINS; i++) a[i] = _mm256_set1_ps((float) i);
        for (long n = 0; n < iters; n++)
            for (int i = 0; i < CHAINS; i++) a[i] = _mm256_fmadd_ps(a[i], x, y);
        for (int i = 0; i < CHAINS; i++) { float t[8]; _mm256_storeu_ps(t, a[i]); for (int k = 0; k < 8; k++) sink += t[k]; }
    }
    return sink;
}

int main(void) {
    long iters = 200000000L;
    for (int w = 0; w < 2; w++) {
        int lanes = w ? 16 : 8;
        for (int threads = 1; threads <= omp_get_max_threads(); threads++) {
            float sink = 0;
            double t0 = now();
            #pragma omp parallel num_threads(threads) reduction(+:sink)
            sink += run(iters, w);
            double dt = now() - t0;
            double gflops = 2.0 * CHAINS * lanes * (double) iters * threads / dt / 1e9;
            printf("%s threads=%d: %.1f GFLOP/s (%.2f s, sink %g)\n", w ? "avx512" : "avx2  ", threads, gflops, dt, sink);
        }
    }
    return 0;
}
