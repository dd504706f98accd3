#!/usr/bin/env python3
"""NumPy peer of `attn4j decode`: one decode step (single-query attention of every head over a KV cache), written
the way a NumPy user would, timed on the same cache as attn4j.

The cache comes from attn4j as raw little-endian float32 files (keys [B, Hkv, N, D], values [B, Hkv, N, Dv],
queries [B, Hq, 1, D]); the block means that block top-k scores are computed once, outside the timed step, as
attn4j's cache keeps them on append. Per step: dense attention as two matrix products per sequence (one BLAS call
serves a kv head's group of query heads); a window as the slices it keeps; block top-k by scoring the block means,
argpartition, and gathering the chosen blocks plus the newest; token top-k by argpartition over all scores. Softmax
only. Each mask's output is written back (float32) so that attn4j checks both computed the same thing.

Usage (normally run by `attn4j decode`, which writes the plan):
    python3 ci/peers/numpy_decode_peer.py --plan PLAN.json --out RESULTS.json

Exit status 0 when it ran, 3 when NumPy is missing (the output says so), 2 for bad arguments.
"""

import argparse
import json
import sys
import time

EXIT_UNAVAILABLE = 3


def softmax_rows(np, s):
    m = s.max(axis=-1, keepdims=True)
    p = np.exp(s - m)
    return p / p.sum(axis=-1, keepdims=True)


def dense_heads(np, qg, kb, vb, scale, per_head):
    """Softmax attention of queries qg [Hkv, G, D] over keys kb [Hkv, M, D], values vb [Hkv, M, Dv]: either as
    batched matrix products over the kv heads, or as a loop of 2-D products per kv head (BLAS gemv/gemm)."""
    if not per_head:
        return np.matmul(softmax_rows(np, np.matmul(qg, np.swapaxes(kb, -1, -2)) * scale), vb)
    out = np.empty((qg.shape[0], qg.shape[1], vb.shape[2]), dtype=np.float32)
    for h in range(qg.shape[0]):
        s = kb[h] @ qg[h].T * scale                     # [M, G]
        p = np.exp(s - s.max(axis=0))
        out[h] = (p.T @ vb[h]) / p.sum(axis=0)[:, None]
    return out


def step(np, plan, mask, k, v, q, means, per_head=False):
    """O [B, Hq, 1, Dv] of one decode step."""
    b_count, hq, hkv = plan["batch"], plan["heads_q"], plan["heads_kv"]
    g = hq // hkv
    n = k.shape[2]
    scale = np.float32(plan["scale"])
    out = np.empty((b_count, hkv, g, v.shape[3]), dtype=np.float32)
    for b in range(b_count):
        qg = q[b].reshape(hkv, g, -1)
        kb, vb = k[b], v[b]
        if mask["block_topk"] > 0:
            bs, top = mask["block_size"], mask["block_topk"]
            own = (n - 1) // bs
            # Per query head, or once per kv head group with the mean of the group's queries.
            scorer = qg.mean(axis=1, keepdims=True) if mask.get("block_topk_group") else qg
            scores = np.matmul(scorer, np.swapaxes(means[b][:, :own], -1, -2))  # [Hkv, G or 1, own]
            if own > top:
                chosen = np.argpartition(-scores, top - 1, axis=-1)[..., :top]
            else:
                chosen = np.broadcast_to(np.arange(own), scores.shape[:2] + (own,))
            chosen = np.broadcast_to(chosen, (hkv, g, chosen.shape[-1]))
            pos = (chosen[..., :, None] * bs + np.arange(bs)).reshape(hkv, g, -1)
            pos = np.concatenate([pos, np.broadcast_to(np.arange(own * bs, n), (hkv, g, n - own * bs))], axis=-1)
            heads = np.arange(hkv)[:, None, None]
            ks, vs = kb[heads, pos], vb[heads, pos]  # [Hkv, G, M, D]
            s = np.matmul(ks, qg[..., None])[..., 0] * scale
            p = softmax_rows(np, s)
            out[b] = np.matmul(p[..., None, :], vs)[..., 0, :]
        elif mask["token_topk"] > 0:
            s = np.matmul(qg, np.swapaxes(kb, -1, -2)) * scale
            top = min(mask["token_topk"], n)
            idx = np.argpartition(-s, top - 1, axis=-1)[..., :top]
            p = softmax_rows(np, np.take_along_axis(s, idx, axis=-1))
            vs = vb[np.arange(hkv)[:, None, None], idx]
            out[b] = np.matmul(p[..., None, :], vs)[..., 0, :]
        elif mask["window_left"] >= 0:
            lo = max(0, n - 1 - mask["window_left"])
            gl = min(mask["global"], lo)
            if gl > 0:
                s_win = np.matmul(qg, np.swapaxes(kb[:, lo:], -1, -2))
                s = np.concatenate([np.matmul(qg, np.swapaxes(kb[:, :gl], -1, -2)), s_win], axis=-1) * scale
                p = softmax_rows(np, s)
                out[b] = np.matmul(p[..., :gl], vb[:, :gl]) + np.matmul(p[..., gl:], vb[:, lo:])
            else:
                out[b] = dense_heads(np, qg, kb[:, lo:], vb[:, lo:], scale, per_head)
        else:
            out[b] = dense_heads(np, qg, kb, vb, scale, per_head)
    return out.reshape(b_count, hq, 1, -1)


def supported(mask):
    if mask["normalizer"] != "softmax":
        return "the NumPy peer runs softmax only"
    parts = (mask["block_topk"] > 0) + (mask["token_topk"] > 0) + (mask["window_left"] >= 0)
    if parts > 1:
        return "the NumPy peer runs one mask at a time (dense, window, blocktopk or tokentopk)"
    return None


def run(np, plan):
    b, hq, hkv, d, dv, n = (plan["batch"], plan["heads_q"], plan["heads_kv"], plan["head_dim"], plan["value_dim"],
                            plan["context"])
    k = np.fromfile(plan["keys"], dtype="<f4").reshape(b, hkv, n, d)
    v = np.fromfile(plan["values"], dtype="<f4").reshape(b, hkv, n, dv)
    q = np.fromfile(plan["queries"], dtype="<f4").reshape(b, hq, 1, d)
    rows = []
    means_by_block = {}
    for mask in plan["masks"]:
        why = supported(mask)
        if why:
            rows.append({"label": mask["label"], "status": "unsupported", "note": why})
            continue
        means = None
        if mask["block_topk"] > 0:
            bs = mask["block_size"]
            if bs not in means_by_block:
                full = (n // bs) * bs
                means_by_block[bs] = k[:, :, :full].reshape(b, hkv, n // bs, bs, d).mean(axis=3, dtype=np.float64)\
                    .astype(np.float32)
            means = means_by_block[bs]
        o = step(np, plan, mask, k, v, q, means)
        o.astype("<f4").tofile(mask["out"])
        # Dense and window steps have two natural NumPy spellings; the faster one here is the peer's time.
        forms = [False, True] if mask["block_topk"] == 0 and mask["token_topk"] == 0 else [False]
        best = None
        for per_head in forms:
            for _ in range(plan["warmup"]):
                step(np, plan, mask, k, v, q, means, per_head)
            times = []
            for _ in range(plan["repetitions"]):
                t0 = time.perf_counter()
                step(np, plan, mask, k, v, q, means, per_head)
                times.append((time.perf_counter() - t0) * 1e3)
            times.sort()
            if best is None or times[0] < best[0]:
                best = (times[0], times[len(times) // 2], "loop over kv heads" if per_head else "batched matmul")
        rows.append({"label": mask["label"], "status": "ok", "note": best[2], "ms_best": best[0],
                     "ms_median": best[1]})
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plan", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    with open(args.plan, "r", encoding="utf-8") as f:
        plan = json.load(f)
    if plan.get("schema") != "attn4j-decode-plan/1":
        sys.stderr.write("numpy_decode_peer: %s is not an attn4j-decode-plan/1 plan\n" % args.plan)
        return 2
    try:
        import numpy as np
    except ImportError as e:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump({"schema": "attn4j-decode-peer/1", "status": "skipped", "note": "numpy is not installed: %s" % e,
                       "rows": []}, f)
        return EXIT_UNAVAILABLE
    rows = run(np, plan)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump({"schema": "attn4j-decode-peer/1", "status": "ok", "numpy": np.__version__,
                   "python": sys.version.split()[0], "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
