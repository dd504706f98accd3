#!/usr/bin/env python3
"""Dense softmax attention in NumPy, the yardstick for the cpu provider's dense GFLOP/s.

Same shape and counting as CpuBlockSparseBenchmark at density 1.0: O = softmax(Q K^T / sqrt(D)) V over
[B, H, N, D] float32, forward FLOPs = 4 B H N^2 D (the SPEC's counting). Matrix products go to NumPy's BLAS
(multithreaded); max, exp and the sums are NumPy's own loops. Prints wall and process-CPU time per call.

    python3 docs/benchmarks/numpy_dense_attention.py [--batch 1 --heads 8 --seq 4096 --dim 64 --repeats 7]
"""
import argparse
import json
import os
import platform
import time

import numpy as np


def attention(q, k, v, scale):
    s = np.matmul(q, np.swapaxes(k, -1, -2))
    s *= np.float32(scale)
    s -= s.max(axis=-1, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=-1, keepdims=True)
    return np.matmul(s, v)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--seq", type=int, default=4096)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--json", help="also write the figures to this file")
    a = ap.parse_args()

    rng = np.random.default_rng(1)
    shape = (a.batch, a.heads, a.seq, a.dim)
    q, k, v = (rng.standard_normal(shape, dtype=np.float32) for _ in range(3))
    scale = 1.0 / np.sqrt(a.dim)
    flops = 4.0 * a.batch * a.heads * a.seq * a.seq * a.dim

    attention(q, k, v, scale)  # warm-up
    walls, cpus = [], []
    for _ in range(a.repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        attention(q, k, v, scale)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)

    med = sorted(walls)[len(walls) // 2]
    result = {
        "numpy": np.__version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "shape": list(shape),
        "forward_flops": flops,
        "wall_ms": [round(x * 1e3, 1) for x in walls],
        "cpu_ms": [round(x * 1e3, 1) for x in cpus],
        "best_ms": round(min(walls) * 1e3, 1),
        "median_ms": round(med * 1e3, 1),
        "gflops_best": round(flops / min(walls) / 1e9, 2),
        "gflops_median": round(flops / med / 1e9, 2),
        "gflops_per_cpu_second": round(flops / (sum(cpus) / len(cpus)) / 1e9, 2),
    }
    print(f"numpy {result['numpy']} dense attention B={a.batch} H={a.heads} N={a.seq} D={a.dim} fp32")
    print(f"  wall ms: {result['wall_ms']}")
    print(f"  best {result['best_ms']} ms ({result['gflops_best']} GFLOP/s), median {result['median_ms']} ms "
          f"({result['gflops_median']} GFLOP/s), {result['gflops_per_cpu_second']} GFLOP per CPU-second")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
