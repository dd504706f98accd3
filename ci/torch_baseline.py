"""PyTorch's scaled_dot_product_attention on the dense shapes of gpu_check's benchmark (bf16), for comparison.

Usage: python3 ci/torch_baseline.py OUT.json   (on the GPU machine; times with CUDA events, median of 10 after 3)
"""
import json
import sys

import torch
import torch.nn.functional as F


def time_sdpa(batch, heads, seq, d, causal):
    q, k, v = (torch.randn(batch, heads, seq, d, device="cuda", dtype=torch.bfloat16) for _ in range(3))
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times = []
    for i in range(13):
        start.record()
        F.scaled_dot_product_attention(q, k, v, is_causal=bool(causal))
        stop.record()
        torch.cuda.synchronize()
        if i >= 3:
            times.append(start.elapsed_time(stop))
    times.sort()
    ms = times[len(times) // 2]
    pairs = seq * (seq + 1) / 2 if causal else seq * seq
    return {"batch": batch, "heads": heads, "seq": seq, "head_dim": d, "causal": causal, "ms": ms,
            "tflops": 4.0 * batch * heads * pairs * d / (ms * 1e-3) / 1e12}


def main():
    rows = []
    for d in (64, 128):
        for seq in (4096, 8192, 16384):
            for causal in (0, 1):
                rows.append(time_sdpa(16384 // seq, 2048 // d, seq, d, causal))
                print(rows[-1], flush=True)
    with open(sys.argv[1], "w") as f:
        json.dump({"torch": torch.__version__, "device": torch.cuda.get_device_name(), "rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
