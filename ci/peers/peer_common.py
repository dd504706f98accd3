"""Shared parts of the attn4j peer scripts (numpy_peer.py, torch_peer.py).

A peer reads the plan that `attn4j bench` writes (schema attn4j-bench-plan/1: every configuration with its mask
spelled out), times its own implementation of each configuration, checks it against float64 on sampled rows, and
writes a results document in attn4j's schema (attn4j-bench/1, docs/benchmarks/schema.md), so that `bench` can merge
the rows and print attn4j / best peer per row.

Only the Python standard library and NumPy are used here; NumPy is imported by the caller and passed in, so that a
peer can report "numpy is not installed" instead of crashing.
"""

import datetime
import json
import math
import os
import platform
import subprocess
import sys
import time

SCHEMA = "attn4j-bench/1"
PLAN_SCHEMA = "attn4j-bench-plan/1"
# Exit status when the peer cannot run on this machine (missing package, no GPU); the document says why.
EXIT_UNAVAILABLE = 3
BACKWARD_FACTOR = 2.5


# ----------------------------------------------------------------------------------------------------------------
# Plan

def load_plan(path):
    with open(path, "r", encoding="utf-8") as f:
        plan = json.load(f)
    if plan.get("schema") != PLAN_SCHEMA:
        raise ValueError("plan %s: expected schema %r, got %r" % (path, PLAN_SCHEMA, plan.get("schema")))
    return plan


def select_configs(plan, scale):
    """The configurations of one scale ('full' or 'cpu'); shapes from files ('any') run at every scale."""
    return [c for c in plan["configs"] if c["scale"] in (scale, "any")]


def dense_pairs(cfg):
    s = cfg["shape"]
    return s["batch"] * s["heads_q"] * s["seq_q"] * s["seq_k"]


def flops_per_pair(cfg, backward):
    s = cfg["shape"]
    return 2.0 * (s["head_dim"] + s["value_dim"]) * (BACKWARD_FACTOR if backward else 1.0)


def grid_array(np, mask):
    """The block mask of a plan as a bool array [B|1, H|1, QB, KB] (cached on the mask dict)."""
    grid = mask.get("_grid")
    if grid is None:
        bm = mask["block_mask"]
        rows = bm["rows"]
        flat = np.frombuffer("".join(rows).encode("ascii"), dtype=np.uint8) == ord("1")
        grid = flat.reshape(bm["shape"])
        mask["_grid"] = grid
    return grid


def static_mask(np, cfg, b, h, rows, nk=None):
    """Allowed (query, key) pairs of the static masks for absolute query indices `rows` of (batch b, head h):
    bool [len(rows), Nk]. Same rules as the SPEC: causal j <= i', window i'-left <= j <= i'+right waived where
    j < G or 0 <= i' < G (a query with i' < 0 is never global), block mask cells M[i / BQ, j / BK];
    i' = i + Nk - Nq (bottom-right alignment)."""
    s = cfg["shape"]
    m = cfg["mask"]
    nq = s["seq_q"]
    nk = s["seq_k"] if nk is None else nk
    i = np.asarray(rows, dtype=np.int64)
    j = np.arange(nk, dtype=np.int64)
    ip = i + (s["seq_k"] - nq)
    allowed = np.ones((len(i), nk), dtype=bool)
    if m["causal"]:
        allowed &= j[None, :] <= ip[:, None]
    w = m.get("window")
    if w:
        inside = (j[None, :] >= ip[:, None] - w["left"]) & (j[None, :] <= ip[:, None] + w["right"])
        waived = (j[None, :] < w["global"]) | ((ip[:, None] >= 0) & (ip[:, None] < w["global"]))
        allowed &= inside | waived
    if m.get("block_mask"):
        bm = m["block_mask"]
        grid = grid_array(np, m)
        g = grid[b if grid.shape[0] > 1 else 0, h if grid.shape[1] > 1 else 0]
        allowed &= g[(i // bm["block_q"])[:, None], (j // bm["block_k"])[None, :]]
    return allowed


def static_mask_full(np, cfg):
    """The static mask for every (batch, head) that differs: bool [B|1, H|1, Nq, Nk] (cached on the config)."""
    cached = cfg.get("_static")
    if cached is not None:
        return cached
    s = cfg["shape"]
    m = cfg["mask"]
    per_b, per_h = 1, 1
    if m.get("block_mask"):
        shape = m["block_mask"]["shape"]
        per_b, per_h = shape[0], shape[1]
    rows = np.arange(s["seq_q"])
    out = np.empty((per_b, per_h, s["seq_q"], s["seq_k"]), dtype=bool)
    for b in range(per_b):
        for h in range(per_h):
            out[b, h] = static_mask(np, cfg, b, h, rows)
    cfg["_static"] = out
    return out


def tile_counts(np, static, bq, bk):
    """Allowed pairs per (query tile, key tile) of a static mask [..., Nq, Nk] (partial last tiles included)."""
    nq, nk = static.shape[-2], static.shape[-1]
    qt, kt = -(-nq // bq), -(-nk // bk)
    padded = static
    if qt * bq != nq or kt * bk != nk:
        padded = np.zeros(static.shape[:-2] + (qt * bq, kt * bk), dtype=bool)
        padded[..., :nq, :nk] = static
    return padded.reshape(static.shape[:-2] + (qt, bq, kt, bk)).sum(axis=(-3, -1), dtype=np.int64)


def is_dense(cfg):
    m = cfg["mask"]
    return (not m["causal"] and not m.get("window") and not m.get("block_mask") and not m.get("block_topk")
            and not m.get("token_topk"))


# ----------------------------------------------------------------------------------------------------------------
# Normalizers and the float64 reference

def normalize(np, s, allowed, normalizer):
    """Probabilities over the last axis of scores `s` restricted to `allowed` (None: every key); rows with nothing
    allowed give 0."""
    if allowed is None:
        z = s
        any_allowed = np.ones(s.shape[:-1] + (1,), dtype=bool)
    else:
        z = np.where(allowed, s, np.array(-np.inf, dtype=s.dtype))
        any_allowed = allowed.any(axis=-1, keepdims=True)
    if normalizer == "softmax":
        mx = np.where(any_allowed, z.max(axis=-1, keepdims=True), 0)
        e = np.exp(z - mx)
        total = e.sum(axis=-1, keepdims=True)
        return e / np.where(total > 0, total, 1)
    if normalizer == "sparsemax":
        return _threshold(np, z, any_allowed, entmax=False)
    if normalizer == "entmax15":
        return _threshold(np, z / 2, any_allowed, entmax=True)
    raise ValueError("unknown normalizer %r" % normalizer)


def _threshold(np, z, any_allowed, entmax):
    """Sparsemax (p = max(z - tau, 0)) or entmax-1.5 on z = s/2 (p = max(z - tau, 0)^2), tau from the sorted
    scores: the largest support k whose threshold tau_k lies below the k-th largest score."""
    zs = -np.sort(-z, axis=-1)
    finite = np.isfinite(zs)
    zs0 = np.where(finite, zs, 0)
    k = np.arange(1, z.shape[-1] + 1, dtype=z.dtype)
    cs = np.cumsum(zs0, axis=-1)
    if entmax:
        mean = cs / k
        mean_sq = np.cumsum(zs0 * zs0, axis=-1) / k
        delta = (1 - k * (mean_sq - mean * mean)) / k
        tau = mean - np.sqrt(np.maximum(delta, 0))
        support = (tau <= zs) & finite
    else:
        support = (1 + k * zs > cs) & finite
    size = support.sum(axis=-1, keepdims=True)
    idx = np.maximum(size - 1, 0)
    if entmax:
        tau_star = np.take_along_axis(tau, idx, axis=-1)
    else:
        tau_star = (np.take_along_axis(cs, idx, axis=-1) - 1) / np.maximum(size, 1)
    p = np.maximum(z - tau_star, 0)
    p = np.where(np.isfinite(z), p, 0)
    if entmax:
        p = p * p
    return np.where(any_allowed & (size > 0), p, 0)


def tile_means(np, x, tile):
    """Means of consecutive row tiles of x [..., N, D] (the last tile may be partial)."""
    n = x.shape[-2]
    starts = np.arange(0, n, tile)
    sums = np.add.reduceat(x, starts, axis=-2)
    counts = np.minimum(starts + tile, n) - starts
    return sums / counts[:, None].astype(x.dtype)


def expand_tiles(np, tiles, bq, bk, nq, nk):
    """A tile grid [..., QB, KB] as a token mask [..., Nq, Nk]."""
    return np.repeat(np.repeat(tiles, bq, axis=-2), bk, axis=-1)[..., :nq, :nk]


def block_topk_keep(np, scores, candidates, k):
    """Per query tile, the k best candidate key tiles (ties: lower tile first): bool like `scores`."""
    neg = np.array(-np.inf, dtype=scores.dtype)
    masked = np.where(candidates, scores, neg)
    order = np.argsort(-masked, axis=-1, kind="stable")[..., :k]
    keep = np.zeros(scores.shape, dtype=bool)
    np.put_along_axis(keep, order, True, axis=-1)
    return keep & candidates


def token_topk_keep(np, s, allowed, k):
    """Per row, the k highest allowed scores (ties: lower key first): bool like `s`."""
    if k >= s.shape[-1]:
        return allowed
    neg = np.array(-np.inf, dtype=s.dtype)
    masked = np.where(allowed, s, neg)
    order = np.argsort(-masked, axis=-1, kind="stable")[..., :k]
    keep = np.zeros(s.shape, dtype=bool)
    np.put_along_axis(keep, order, True, axis=-1)
    return keep & allowed


def allowed_rows(np, cfg, q, k, b, h, rows):
    """Allowed keys of rows `rows` of (batch b, query head h) after every mask and selection, in float64:
    bool [len(rows), Nk]. q: [Nq, D] and k: [Nk, D] of that head (the key/value head already chosen)."""
    s = cfg["shape"]
    m = cfg["mask"]
    q = q.astype(np.float64)
    k = k.astype(np.float64)
    scale = 1.0 / math.sqrt(s["head_dim"])
    rows = np.asarray(rows)
    allowed = static_mask(np, cfg, b, h, rows)
    if m.get("block_topk"):
        t = m["block_topk"]
        bq, bk = t["block_q"], t["block_k"]
        nq, nk = s["seq_q"], s["seq_k"]
        kmeans = tile_means(np, k, bk)
        kt = kmeans.shape[0]
        keep_rows = np.zeros((len(rows), nk), dtype=bool)
        for qt in sorted(set(int(r) // bq for r in rows)):
            tile_rows = np.arange(qt * bq, min(nq, (qt + 1) * bq))
            st = np.pad(static_mask(np, cfg, b, h, tile_rows), ((0, 0), (0, kt * bk - nk)))
            cand = st.reshape(len(tile_rows), kt, bk).any(axis=(0, 2))
            sc = scale * (kmeans @ q[tile_rows].mean(axis=0))
            keep = block_topk_keep(np, sc[None, :], cand[None, :], t["k"])[0]
            keep_rows[(rows // bq) == qt] = np.repeat(keep, bk)[:nk][None, :]
        allowed &= keep_rows
    if m.get("token_topk"):
        allowed = token_topk_keep(np, scale * (q[rows] @ k.T), allowed, m["token_topk"])
    return allowed


def reference_rows(np, cfg, q, k, v, b, h, rows):
    """O of rows `rows` of (batch b, query head h) in float64, exactly as the SPEC defines it.
    q: [Nq, D], k: [Nk, D], v: [Nk, Dv] of that head (key/value head already chosen)."""
    scale = 1.0 / math.sqrt(cfg["shape"]["head_dim"])
    allowed = allowed_rows(np, cfg, q, k, b, h, rows)
    scores = scale * (q.astype(np.float64)[np.asarray(rows)] @ k.astype(np.float64).T)
    p = normalize(np, scores, allowed, cfg["mask"]["normalizer"])
    return p @ v.astype(np.float64)


def sample_rows(cfg):
    """Rows the peers check: first, middle and last 16 rows of (0, 0) and of (B-1, H-1)."""
    s = cfg["shape"]
    nq = s["seq_q"]
    n = min(16, nq)
    starts = sorted(set([0, max(0, nq // 2 - n // 2), nq - n]))
    rows = sorted(set(r for st in starts for r in range(st, st + n)))
    pairs = sorted(set([(0, 0), (s["batch"] - 1, s["heads_q"] - 1)]))
    return pairs, rows


def relative_error(np, actual, expected):
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if not np.all(np.isfinite(actual)):
        return None
    ref = float(np.sqrt((expected * expected).sum()))
    diff = float(np.sqrt(((actual - expected) ** 2).sum()))
    return diff / ref if ref > 0 else diff


def tolerance(dtype, device_kind, backward=False):
    """The same bounds as attn4j's (SPEC, Precision)."""
    if dtype != "fp32":
        return 5e-2 if backward else 1e-2
    forward = 1e-5 if device_kind == "cpu" else 1e-4
    return forward * 10 if backward else forward


# ----------------------------------------------------------------------------------------------------------------
# Timing

class Budget:
    """The peer's time budget (0: none): configurations not started in time are reported as skipped."""

    def __init__(self, seconds):
        self.seconds = seconds or 0
        self.end = time.monotonic() + self.seconds if self.seconds > 0 else None

    def passed(self):
        return self.end is not None and time.monotonic() >= self.end


def measure(timing, run_once, sets, budget):
    """Warm-up calls, then timed calls until the plan's policy is met. run_once(set_index) returns ms."""
    for w in range(timing["warmup"]):
        run_once(w % sets)
    samples = []
    total = 0.0
    while True:
        reps = len(samples)
        if reps >= timing["max_reps"]:
            break
        if reps >= timing["min_reps"] and (total / 1e3 >= timing["target_seconds"] or budget.passed()):
            break
        ms = run_once((timing["warmup"] + reps) % sets)
        samples.append(ms)
        total += ms
    return samples


def time_stats(samples, warmup, timer):
    s = sorted(samples)
    n = len(s)
    median = s[n // 2] if n % 2 == 1 else (s[n // 2 - 1] + s[n // 2]) / 2
    return {"median": median, "min": s[0], "max": s[-1], "mean": sum(s) / n, "reps": n, "warmup": warmup,
            "timer": timer}


def input_sets(plan, cfg, bytes_per_element):
    """How many input sets to rotate through, as attn4j does (enough to span rotate_bytes, 2..max_sets)."""
    s = cfg["shape"]
    elems = (s["batch"] * s["heads_q"] * s["seq_q"] * s["head_dim"]
             + s["batch"] * s["heads_kv"] * s["seq_k"] * (s["head_dim"] + s["value_dim"]))
    per_set = elems * bytes_per_element
    wanted = -(-plan["rotate_bytes"] // per_set) if per_set else 2
    return int(max(min(2, plan["max_sets"]), min(plan["max_sets"], wanted)))


# ----------------------------------------------------------------------------------------------------------------
# Results

def row(provider, implementation, device, device_kind, cfg, dtype, direction, status, note="", stats=None,
        allowed_pairs=None, rel_error=None, tol=None, samples=""):
    s = cfg["shape"]
    backward = direction == "backward"
    work = None
    tflops = None
    dense_tflops = None
    if allowed_pairs is not None:
        dense = dense_pairs(cfg)
        f = flops_per_pair(cfg, backward)
        work = {"allowed_pairs": int(allowed_pairs), "dense_pairs": int(dense),
                "density": allowed_pairs / dense if dense else 0.0, "flops": f * allowed_pairs,
                "dense_flops": f * dense}
        if stats is not None and status == "ok":
            sec = stats["median"] * 1e-3
            tflops = work["flops"] / sec / 1e12
            dense_tflops = work["dense_flops"] / sec / 1e12
    check = None
    if tol is not None:
        check = {"rel_error": rel_error, "tolerance": tol, "samples": samples}
    return {
        "provider": provider, "kind": "peer", "implementation": implementation, "device": device,
        "device_kind": device_kind, "config_id": cfg["id"], "shape_set": cfg["shape_set"], "scale": cfg["scale"],
        "shape": dict(s), "mask": cfg["mask"]["family"], "mask_detail": cfg["mask"]["label"],
        "normalizer": cfg["mask"]["normalizer"], "dtype": dtype, "direction": direction, "status": status,
        "note": note, "time_ms": stats if status == "ok" else None, "work": work, "tflops": tflops,
        "dense_equiv_tflops": dense_tflops, "check": check, "vs_peer": None,
    }


def cpu_model():
    try:
        with open("/proc/cpuinfo", "r", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name") and ":" in line:
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def commit():
    """$ATTN4J_COMMIT when set (runs outside a clone), else git rev-parse HEAD (-dirty with changes), else unknown."""
    if os.environ.get("ATTN4J_COMMIT", "").strip():
        return os.environ["ATTN4J_COMMIT"].strip()
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return "unknown"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, timeout=10)
        return head.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def environment(device=None, driver=None, cuda=None, software=None):
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "commit": commit(), "device": device or ("cpu: " + cpu_model()), "driver": driver, "cuda": cuda,
        "jvm": None, "os": "%s %s %s" % (platform.system(), platform.release(), platform.machine()),
        "cpu": cpu_model(), "cpu_threads": os.cpu_count(),
        "software": dict(software or {}, python=platform.python_version()), "providers": None,
    }


def write_document(path, generator, env, rows, peers):
    doc = {"schema": SCHEMA, "generator": generator, "environment": env, "settings": None, "peers": peers,
           "rows": rows}
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, allow_nan=False)
        f.write("\n")


def progress(done, total, label):
    """One line per step on stderr (the Java side's progress bar is busy elsewhere)."""
    sys.stderr.write("[%d/%d] %s\n" % (done, total, label))
    sys.stderr.flush()
