#!/usr/bin/env python3
"""NumPy peer of `attn4j bench`: attention the way a NumPy user writes it, timed on this machine's CPU.

Each configuration of the plan runs as full score matrices: S = Q K^T * scale for all (batch, head) at once, the
mask applied (static masks precomputed once, as a user would build a mask once; dynamic top-k selections computed
inside the timed call), the normalizer over each row, then P V. float32 only (NumPy has no bfloat16, and its
float16 matmul is not what a user would pick); forward only (NumPy has no autograd).

Usage (normally run by `attn4j bench --peers numpy`, which writes the plan):
    python3 ci/peers/numpy_peer.py --plan PLAN.json --out numpy.json [--scale cpu]

Exit status 0 when it ran, 3 when NumPy is missing (the output document says so), 2 for bad arguments.
"""

import argparse
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as pc  # noqa: E402

PROVIDER = "numpy"
IMPLEMENTATION = "full-scores"


def attention(np, cfg, q, k, v, static, count_pairs=False):
    """O [B, H, Nq, Dv] in float32 for one input set, and the allowed-pair count when asked (outside timing)."""
    s = cfg["shape"]
    m = cfg["mask"]
    group = s["heads_q"] // s["heads_kv"]
    if group > 1:
        k = np.repeat(k, group, axis=1)
        v = np.repeat(v, group, axis=1)
    scale = np.float32(1.0 / math.sqrt(s["head_dim"]))
    scores = np.matmul(q, np.swapaxes(k, -1, -2)) * scale
    # Dense attention needs no mask at all; the other masks are applied as a NumPy user would, with np.where.
    allowed = None if pc.is_dense(cfg) else np.broadcast_to(static, scores.shape)
    if m.get("block_topk"):
        t = m["block_topk"]
        qm = pc.tile_means(np, q, t["block_q"])
        km = pc.tile_means(np, k, t["block_k"])
        tile_scores = np.matmul(qm, np.swapaxes(km, -1, -2)) * scale
        candidates = static_tiles(np, cfg, static, t)
        keep = pc.block_topk_keep(np, tile_scores, candidates, t["k"])
        allowed = allowed & pc.expand_tiles(np, keep, t["block_q"], t["block_k"], s["seq_q"], s["seq_k"])
    if m.get("token_topk"):
        allowed = pc.token_topk_keep(np, scores, allowed, m["token_topk"])
    p = pc.normalize(np, scores, allowed, m["normalizer"])
    out = np.matmul(p.astype(np.float32), v)
    if not count_pairs:
        return out, None
    return out, pc.dense_pairs(cfg) if allowed is None else int(np.count_nonzero(allowed))


def static_tiles(np, cfg, static, t):
    """Candidate key tiles per query tile: those where the static mask allows any pair. [B|1, H|1, QB, KB]."""
    cache = cfg.setdefault("_tiles", {})
    if "grid" not in cache:
        s = cfg["shape"]
        bq, bk = t["block_q"], t["block_k"]
        qt = -(-s["seq_q"] // bq)
        kt = -(-s["seq_k"] // bk)
        padded = np.zeros(static.shape[:2] + (qt * bq, kt * bk), dtype=bool)
        padded[..., :s["seq_q"], :s["seq_k"]] = static
        cache["grid"] = padded.reshape(static.shape[:2] + (qt, bq, kt, bk)).any(axis=(3, 5))
    return cache["grid"]


def run(np, plan, scale, out_path):
    env = pc.environment(software={"numpy": np.__version__})
    device = "cpu: %s (%d threads)" % (pc.cpu_model(), os.cpu_count() or 0)
    timing = plan["timing"]
    budget = pc.Budget(timing["budget_seconds"])
    configs = pc.select_configs(plan, scale)
    rows = []
    rng = np.random.default_rng(12345)
    current_key = None
    sets = []
    for n, cfg in enumerate(configs, 1):
        s = cfg["shape"]
        pc.progress(n, len(configs), "numpy %s %s" % (cfg["id"], cfg["mask"]["label"]))
        for direction in cfg["directions"]:
            for dtype in cfg["dtypes"]:
                if direction == "backward":
                    rows.append(pc.row(PROVIDER, IMPLEMENTATION, device, "cpu", cfg, dtype, direction,
                                       "unsupported", "NumPy has no autograd; the peer is forward only"))
                    continue
                if dtype != "fp32":
                    rows.append(pc.row(PROVIDER, IMPLEMENTATION, device, "cpu", cfg, dtype, direction,
                                       "unsupported", "the NumPy peer runs float32 only"))
                    continue
                if budget.passed():
                    rows.append(pc.row(PROVIDER, IMPLEMENTATION, device, "cpu", cfg, dtype, direction, "skipped",
                                       "time budget of %s s used up" % timing["budget_seconds"]))
                    continue
                try:
                    key = (s["batch"], s["heads_q"], s["heads_kv"], s["seq_q"], s["seq_k"], s["head_dim"],
                           s["value_dim"])
                    if key != current_key:
                        sets = []
                        count = pc.input_sets(plan, cfg, 4)
                        for _ in range(count):
                            sets.append(tuple(rng.standard_normal(shape, dtype=np.float32) for shape in (
                                (s["batch"], s["heads_q"], s["seq_q"], s["head_dim"]),
                                (s["batch"], s["heads_kv"], s["seq_k"], s["head_dim"]),
                                (s["batch"], s["heads_kv"], s["seq_k"], s["value_dim"]))))
                        current_key = key
                    rows.append(measure_config(np, plan, cfg, sets, budget, device))
                except MemoryError as e:
                    rows.append(pc.row(PROVIDER, IMPLEMENTATION, device, "cpu", cfg, dtype, direction, "error",
                                       "MemoryError: %s" % e))
    pc.write_document(out_path, "numpy_peer.py", env, rows, [{"name": PROVIDER, "status": "ok",
                                                               "note": "NumPy %s, float32, forward" % np.__version__}])


def measure_config(np, plan, cfg, sets, budget, device):
    static = pc.static_mask_full(np, cfg)
    q, k, v = sets[0]
    out, pairs = attention(np, cfg, q, k, v, static, count_pairs=True)
    pairs_list, rows = pc.sample_rows(cfg)
    group = cfg["shape"]["heads_q"] // cfg["shape"]["heads_kv"]
    actual = []
    expected = []
    for b, h in pairs_list:
        actual.append(out[b, h, rows])
        expected.append(pc.reference_rows(np, cfg, q[b, h], k[b, h // group], v[b, h // group], b, h, rows))
    err = pc.relative_error(np, np.concatenate(actual), np.concatenate(expected))
    tol = pc.tolerance("fp32", "cpu")
    samples = "rows %d..%d (%d rows) of %s" % (rows[0], rows[-1] + 1, len(rows), pairs_list)
    if err is None or err > tol:
        note = "float64 check failed: " + ("non-finite values" if err is None else "relative error %.3g" % err)
        return pc.row(PROVIDER, IMPLEMENTATION, device, "cpu", cfg, "fp32", "forward", "failed_check", note,
                      allowed_pairs=pairs, rel_error=err, tol=tol, samples=samples)

    def once(i):
        qi, ki, vi = sets[i]
        t0 = time.perf_counter()
        attention(np, cfg, qi, ki, vi, static)
        return (time.perf_counter() - t0) * 1e3

    samples_ms = pc.measure(plan["timing"], once, len(sets), budget)
    stats = pc.time_stats(samples_ms, plan["timing"]["warmup"], "host-wall")
    return pc.row(PROVIDER, IMPLEMENTATION, device, "cpu", cfg, "fp32", "forward", "ok", "", stats, pairs, err,
                  tol, samples)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plan", required=True, help="plan written by `attn4j bench --plan-out` or --peers")
    ap.add_argument("--out", required=True, help="results document to write (schema attn4j-bench/1)")
    ap.add_argument("--scale", default="cpu", choices=["cpu", "full"], help="which configurations to run")
    args = ap.parse_args(argv)
    try:
        import numpy as np
    except ImportError as e:
        pc.write_document(args.out, "numpy_peer.py", pc.environment(), [],
                          [{"name": PROVIDER, "status": "skipped", "note": "numpy is not installed: %s" % e}])
        sys.stderr.write("numpy_peer: numpy is not installed; skipped\n")
        return pc.EXIT_UNAVAILABLE
    plan = pc.load_plan(args.plan)
    run(np, plan, args.scale, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
