#!/usr/bin/env python3
"""OpenBLAS sgemm through NumPy on this machine: square products and the attention-shaped ones
(S = Q K^T with D = 64, O = P V) at B=1 H=8 N=4096, best of several runs, in GFLOP/s."""
import time
import numpy as np

def best(f, reps=5):
    f()
    t = min(_timed(f) for _ in range(reps))
    return t

def _timed(f):
    t0 = time.perf_counter(); f(); return time.perf_counter() - t0

rng = np.random.default_rng(1)
for n in (1024, 2048):
    a = rng.standard_normal((n, n), dtype=np.float32); b = rng.standard_normal((n, n), dtype=np.float32)
    t = best(lambda: a @ b)
    print("sgemm %dx%dx%d: %.1f GFLOP/s" % (n, n, n, 2 * n ** 3 / t / 1e9))
h, n, d = 8, 4096, 64
q = rng.standard_normal((1, h, n, d), dtype=np.float32); k = rng.standard_normal((1, h, n, d), dtype=np.float32)
v = rng.standard_normal((1, h, n, d), dtype=np.float32)
t = best(lambda: np.matmul(q, np.swapaxes(k, -1, -2)), 3)
print("QK^T B=1 H=8 N=4096 D=64: %.1f GFLOP/s (%.0f ms)" % (2 * h * n * n * d / t / 1e9, t * 1e3))
s = np.matmul(q, np.swapaxes(k, -1, -2))
t = best(lambda: np.matmul(s, v), 3)
print("PV   B=1 H=8 N=4096 D=64: %.1f GFLOP/s (%.0f ms)" % (2 * h * n * n * d / t / 1e9, t * 1e3))
