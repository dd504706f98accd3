#!/usr/bin/env python3
"""Turns the JMH JSON of CpuBlockSparseBenchmark into the Markdown table of cpu-provider.md.

    python3 docs/benchmarks/jmh_table.py docs/benchmarks/cpu-provider-jmh.json

Attended pairs P are recomputed from the parameters exactly as BenchmarkInputs.randomBlockMask builds the masks
(each head keeps round(density * cells) cells of block x block; density 1.0 means no mask), and
GFLOP/s = 2 (D + Dv) P / time, the SPEC's counting. Error is JMH's 99.9% confidence half-width.
"""
import json
import math
import sys


def pairs(p):
    b, h, n, block, density = int(p["batch"]), int(p["heads"]), int(p["seqLen"]), int(p["block"]), float(p["density"])
    if density >= 1.0:
        return b * h * n * n
    cells_side = math.ceil(n / block)
    keep = max(1, int(math.floor(density * cells_side * cells_side + 0.5)))
    if n % block != 0:
        raise SystemExit("sequence length must be a multiple of the block for this table")
    return b * h * keep * block * block


def main():
    runs = json.load(open(sys.argv[1]))
    rows = [r for r in runs if r["benchmark"].endswith("CpuBlockSparseBenchmark.forward")]
    dense = [r for r in rows if float(r["params"]["density"]) >= 1.0]
    dense_ms = dense[0]["primaryMetric"]["score"] if dense else None
    print("| density | kept pairs P | time (ms/op) | error (ms, 99.9%) | ratio to dense | GFLOP/s (2(D+Dv)P / t) |"
          " dense-equivalent GFLOP/s |")
    print("|---|---|---|---|---|---|---|")
    for r in sorted(rows, key=lambda r: -float(r["params"]["density"])):
        p = r["params"]
        m = r["primaryMetric"]
        ms = m["score"]
        d = int(p["headDim"])
        pr = pairs(p)
        flops = 2.0 * (d + d) * pr
        dense_flops = 2.0 * (d + d) * int(p["batch"]) * int(p["heads"]) * int(p["seqLen"]) ** 2
        ratio = ms / dense_ms if dense_ms else float("nan")
        print(f"| {float(p['density']):.2f} | {pr} | {ms:.1f} | ± {m['scoreError']:.1f} | {ratio:.3f} |"
              f" {flops / (ms / 1e3) / 1e9:.2f} | {dense_flops / (ms / 1e3) / 1e9:.2f} |")


if __name__ == "__main__":
    main()
