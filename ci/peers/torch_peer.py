#!/usr/bin/env python3
"""PyTorch peer of `attn4j bench`: what a PyTorch user would run instead, timed on the same configurations.

On the GPU (--device cuda, the plan's full-size configurations):
  sdpa-flash, sdpa-cudnn, sdpa-efficient, sdpa-math  torch.nn.functional.scaled_dot_product_attention under
      torch.nn.attention.sdpa_kernel(<backend>); causal via is_causal (lower-right CausalBias when Nq != Nk), other
      static masks as a boolean attn_mask (backends that refuse it are reported unsupported with PyTorch's reason);
  flex  torch.nn.attention.flex_attention.flex_attention, compiled, with a BlockMask built once from a mask_mod that
      matches the attn4j mask (causal, window, block mask cells, documents); dynamic block top-k selects tiles on the
      GPU inside the timed call (pooled means, top-k) and builds the BlockMask with BlockMask.from_kv_blocks;
  eager  plain PyTorch (full score matrices, chunked over the batch) for what neither covers: token top-k,
      sparsemax, entmax-1.5.
On the CPU (--device cpu, the CPU-scale configurations): the SDPA backends the CPU has (flash, math), FlexAttention
only with --flex, and eager as above.

Timing: CUDA events around each call on the GPU, time.perf_counter on the CPU; warm-up and repetitions from the plan;
inputs rotated over several sets; every implementation checked against float64 (NumPy) on sampled rows first: O
forward, dQ backward. Rows are written in attn4j's schema (attn4j-bench/1).

Usage (normally run by `attn4j bench --peers torch`, or by the GPU run script with a plan from `bench --plan-out`):
    python3 ci/peers/torch_peer.py --plan PLAN.json --device cuda --out torch-cuda.json
    python3 ci/peers/torch_peer.py --plan PLAN.json --device cpu  --out torch-cpu.json
Exit status 0 when it ran, 3 when torch (or numpy, or a CUDA device) is missing (the document says why).
"""

import argparse
import math
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as pc  # noqa: E402

PROVIDER = "torch"
DTYPES = {"fp32": "float32", "fp16": "float16", "bf16": "bfloat16"}
DTYPE_BYTES = {"fp32": 4, "fp16": 2, "bf16": 2}


class Unsupported(Exception):
    """This implementation cannot run this configuration (the message says why)."""


class Peer:
    def __init__(self, torch, np, plan, device, args):
        self.torch = torch
        self.np = np
        self.plan = plan
        self.device = torch.device(device)
        self.kind = "cuda" if device == "cuda" else "cpu"
        self.args = args
        self.mask_limit = args.mask_limit_gib * (1 << 30)
        self.math_limit = args.math_limit_gib * (1 << 30)
        self.flex_enabled = self.kind == "cuda" or args.flex
        self.flex = None
        self.budget = pc.Budget(plan["timing"]["budget_seconds"])
        if self.kind == "cuda":
            self.device_name = "cuda:0 " + torch.cuda.get_device_name(0)
        else:
            self.device_name = "cpu: %s (%d threads)" % (pc.cpu_model(), torch.get_num_threads())

    # ---------------------------------------------------------------------------------------------------------
    # Implementations: each returns a callable (q, k, v) -> O, or raises Unsupported.

    def implementations(self):
        from torch.nn.attention import SDPBackend
        backends = [("sdpa-flash", SDPBackend.FLASH_ATTENTION), ("sdpa-math", SDPBackend.MATH)]
        if self.kind == "cuda":
            backends = [("sdpa-flash", SDPBackend.FLASH_ATTENTION), ("sdpa-cudnn", SDPBackend.CUDNN_ATTENTION),
                        ("sdpa-efficient", SDPBackend.EFFICIENT_ATTENTION), ("sdpa-math", SDPBackend.MATH)]
        out = [(name, lambda cfg, be=be, name=name: self.sdpa(cfg, be, name)) for name, be in backends]
        out.append(("flex", self.flex_fn))
        out.append(("eager", self.eager))
        return out

    def sdpa(self, cfg, backend, name):
        torch = self.torch
        from torch.nn.attention import sdpa_kernel
        import torch.nn.functional as F
        m = cfg["mask"]
        s = cfg["shape"]
        if m.get("block_topk") or m.get("token_topk"):
            raise Unsupported("SDPA has no dynamic top-k selection")
        if m["normalizer"] != "softmax":
            raise Unsupported("SDPA normalizes with softmax only")
        gqa = s["heads_kv"] != s["heads_q"]
        attn_mask = None
        is_causal = False
        only_causal = m["causal"] and not m.get("window") and not m.get("block_mask")
        if only_causal and s["seq_q"] == s["seq_k"]:
            is_causal = True
        elif only_causal:
            from torch.nn.attention.bias import causal_lower_right
            attn_mask = causal_lower_right(s["seq_q"], s["seq_k"])
        elif not pc.is_dense(cfg):
            attn_mask = self.boolean_mask(cfg)
        if name == "sdpa-math":
            need = s["batch"] * s["heads_q"] * s["seq_q"] * s["seq_k"] * 4 * 3
            if need > self.math_limit:
                raise Unsupported("the math backend would materialize %.1f GiB of scores (limit %.0f GiB,"
                                  " --math-limit-gib)" % (need / (1 << 30), self.args.math_limit_gib))
        kwargs = {"attn_mask": attn_mask, "is_causal": is_causal}
        if gqa:
            kwargs["enable_gqa"] = True

        def fn(q, k, v):
            with sdpa_kernel(backend):
                return F.scaled_dot_product_attention(q, k, v, **kwargs)
        return fn

    def boolean_mask(self, cfg):
        np = self.np
        static = pc.static_mask_full(np, cfg)
        if static.nbytes > self.mask_limit:
            raise Unsupported("a dense boolean mask would take %.1f GiB (limit %.0f GiB, --mask-limit-gib)"
                              % (static.nbytes / (1 << 30), self.args.mask_limit_gib))
        return self.torch.from_numpy(static).to(self.device)

    def flex_fn(self, cfg):
        if not self.flex_enabled:
            raise Unsupported("FlexAttention is run on the GPU only (pass --flex to try it on the CPU)")
        torch = self.torch
        from torch.nn.attention.flex_attention import create_block_mask, flex_attention
        m = cfg["mask"]
        s = cfg["shape"]
        if m.get("token_topk"):
            raise Unsupported("FlexAttention has no per-row top-k (its masks are fixed before the call)")
        if m["normalizer"] != "softmax":
            raise Unsupported("FlexAttention normalizes with softmax only (score_mod is pointwise)")
        if self.flex is None:
            # One compilation per shape and mask structure: raise Dynamo's recompile limit, or after a few
            # configurations it would silently run flex_attention uncompiled (slow, and materializing scores).
            # (The limits were renamed: recompile_limit in recent releases, cache_size_limit before.)
            import torch._dynamo
            config = torch._dynamo.config
            for name, least in (("recompile_limit", 256), ("cache_size_limit", 256),
                                ("accumulated_recompile_limit", 4096), ("accumulated_cache_size_limit", 4096)):
                if hasattr(config, name):
                    setattr(config, name, max(getattr(config, name), least))
            self.flex = torch.compile(flex_attention, dynamic=False)
        flex = self.flex
        gqa = s["heads_kv"] != s["heads_q"]
        mask_mod = self.mask_mod(cfg)
        block = cfg["block_size"]
        if m.get("block_topk"):
            return self.flex_block_topk(cfg, flex, mask_mod, gqa)
        if mask_mod is None:
            return lambda q, k, v: flex(q, k, v, enable_gqa=gqa)
        per_b, per_h = self.mask_broadcast(cfg)
        block_mask = create_block_mask(mask_mod, s["batch"] if per_b else None, s["heads_q"] if per_h else None,
                                       s["seq_q"], s["seq_k"], device=self.device, BLOCK_SIZE=block)
        return lambda q, k, v: flex(q, k, v, block_mask=block_mask, enable_gqa=gqa)

    def mask_broadcast(self, cfg):
        bm = cfg["mask"].get("block_mask")
        if not bm:
            return False, False
        return bm["shape"][0] > 1, bm["shape"][1] > 1

    def mask_mod(self, cfg):
        """The static mask as a FlexAttention mask_mod, or None when there is none."""
        torch = self.torch
        m = cfg["mask"]
        s = cfg["shape"]
        if not (m["causal"] or m.get("window") or m.get("block_mask")):
            return None
        offset = s["seq_k"] - s["seq_q"]
        causal = m["causal"]
        w = m.get("window")
        grid = None
        if m.get("block_mask"):
            bm = m["block_mask"]
            grid = torch.from_numpy(pc.grid_array(self.np, m).copy()).to(self.device)
            bq, bk = bm["block_q"], bm["block_k"]
            per_b, per_h = bm["shape"][0] > 1, bm["shape"][1] > 1

        def mod(b, h, q_idx, kv_idx):
            ip = q_idx + offset
            ok = kv_idx >= 0
            if causal:
                ok = ok & (kv_idx <= ip)
            if w:
                inside = (kv_idx >= ip - w["left"]) & (kv_idx <= ip + w["right"])
                ok = ok & (inside | (kv_idx < w["global"]) | ((ip >= 0) & (ip < w["global"])))
            if grid is not None:
                ok = ok & grid[b if per_b else 0, h if per_h else 0, q_idx // bq, kv_idx // bk]
            return ok
        return mod

    def flex_block_topk(self, cfg, flex, mask_mod, gqa):
        """Dynamic block top-k as a FlexAttention user writes it: pooled tile means and top-k on the GPU, then a
        BlockMask from the kept tiles (BlockMask.from_kv_blocks), then flex_attention; all inside the timed call."""
        torch = self.torch
        from torch.nn.attention.flex_attention import BlockMask
        s = cfg["shape"]
        t = cfg["mask"]["block_topk"]
        bq, bk, top = t["block_q"], t["block_k"], t["k"]
        if s["seq_q"] % bq or s["seq_k"] % bk:
            raise Unsupported("block top-k with FlexAttention here needs sequences that are multiples of the tile")
        qt, kt = s["seq_q"] // bq, s["seq_k"] // bk
        group = s["heads_q"] // s["heads_kv"]
        scale = 1.0 / math.sqrt(s["head_dim"])
        np = self.np
        static = pc.static_mask_full(np, cfg)
        cand = static.reshape(static.shape[:2] + (qt, bq, kt, bk)).any(axis=(3, 5))
        candidates = torch.from_numpy(cand).to(self.device)
        keep_k = min(top, kt)

        def fn(q, k, v):
            qm = q.view(s["batch"], s["heads_q"], qt, bq, s["head_dim"]).float().mean(3)
            km = k.view(s["batch"], s["heads_kv"], kt, bk, s["head_dim"]).float().mean(3)
            if group > 1:
                km = km.repeat_interleave(group, dim=1)
            scores = (qm @ km.transpose(-1, -2)) * scale
            scores = scores.masked_fill(~candidates, float("-inf"))
            idx = scores.topk(keep_k, dim=-1).indices
            keep = torch.zeros(scores.shape, dtype=torch.bool, device=scores.device)
            keep.scatter_(-1, idx, True)
            keep &= candidates
            num = keep.sum(-1, dtype=torch.int32)
            order = torch.argsort((~keep).to(torch.int8), dim=-1, stable=True).to(torch.int32)
            try:
                bm = BlockMask.from_kv_blocks(num, order, BLOCK_SIZE=(bq, bk), mask_mod=mask_mod,
                                              seq_lengths=(s["seq_q"], s["seq_k"]))
            except TypeError:
                bm = BlockMask.from_kv_blocks(num, order, BLOCK_SIZE=(bq, bk), mask_mod=mask_mod)
            return flex(q, k, v, block_mask=bm, enable_gqa=gqa)
        return fn

    def eager(self, cfg):
        """Plain PyTorch, one batch element at a time: scores, mask, selections, normalizer, P V."""
        torch = self.torch
        m = cfg["mask"]
        s = cfg["shape"]
        covered = not (m.get("token_topk") or m["normalizer"] != "softmax")
        if covered and (self.flex_enabled or not m.get("block_topk")):
            raise Unsupported("covered by SDPA or FlexAttention; the eager peer runs only what they cannot")
        need = s["heads_q"] * s["seq_q"] * s["seq_k"] * 4 * 6
        if need > self.math_limit:
            raise Unsupported("eager scores of one batch element would take %.1f GiB (limit %.0f GiB)"
                              % (need / (1 << 30), self.args.math_limit_gib))
        np = self.np
        static = torch.from_numpy(pc.static_mask_full(np, cfg)).to(self.device)
        group = s["heads_q"] // s["heads_kv"]
        scale = 1.0 / math.sqrt(s["head_dim"])
        t = m.get("block_topk")
        cand = None
        if t:
            bq, bk = t["block_q"], t["block_k"]
            qt, kt = -(-s["seq_q"] // bq), -(-s["seq_k"] // bk)
            sm = pc.static_mask_full(np, cfg)
            padded = np.zeros(sm.shape[:2] + (qt * bq, kt * bk), dtype=bool)
            padded[..., :s["seq_q"], :s["seq_k"]] = sm
            cand = torch.from_numpy(padded.reshape(sm.shape[:2] + (qt, bq, kt, bk)).any(axis=(3, 5))).to(
                self.device)

        def fn(q, k, v):
            out = torch.empty(q.shape[:-1] + (v.shape[-1],), dtype=q.dtype, device=q.device)
            for b in range(s["batch"]):
                qb = q[b].float()
                kb = k[b].float()
                vb = v[b]
                if group > 1:
                    kb = kb.repeat_interleave(group, dim=0)
                    vb = vb.repeat_interleave(group, dim=0)
                sc = (qb @ kb.transpose(-1, -2)) * scale
                allowed = static[b if static.shape[0] > 1 else 0].expand(sc.shape)
                if t:
                    allowed = allowed & torch_block_topk(torch, qb, kb, scale, cand[b if cand.shape[0] > 1 else 0],
                                                          t, s["seq_q"], s["seq_k"])
                if m.get("token_topk"):
                    allowed = torch_token_topk(torch, sc, allowed, m["token_topk"])
                p = torch_normalize(torch, sc, allowed, m["normalizer"])
                out[b] = (p @ vb.float()).to(q.dtype)
            return out
        return fn

    # ---------------------------------------------------------------------------------------------------------
    # Running

    def run(self, configs):
        rows = []
        impls = self.implementations()
        for n, cfg in enumerate(configs, 1):
            pc.progress(n, len(configs), "torch %s %s %s" % (self.kind, cfg["id"], cfg["mask"]["label"]))
            for dtype in cfg["dtypes"]:
                sets = None
                for name, make in impls:
                    for direction in cfg["directions"]:
                        def row(status, note="", **kw):
                            return pc.row(PROVIDER, name, self.device_name, self.kind, cfg, dtype, direction,
                                          status, note, **kw)
                        if self.budget.passed():
                            rows.append(row("skipped", "time budget of %s s used up"
                                            % self.plan["timing"]["budget_seconds"]))
                            continue
                        try:
                            fn = make(cfg)
                            if direction == "backward" and name == "eager":
                                raise Unsupported("the eager peer is forward only")
                            if sets is None:
                                sets = self.inputs(cfg, dtype)
                            rows.append(self.measure(cfg, dtype, direction, fn, sets, row))
                        except Unsupported as e:
                            rows.append(row("unsupported", str(e)))
                        except Exception as e:  # a peer's failure is a row, not the end of the run
                            rows.append(row(*self.classify(e)))
                        finally:
                            if self.kind == "cuda":
                                self.torch.cuda.empty_cache()
                sets = None
            cfg.pop("_static", None)
            if self.flex is not None:
                # Compiled code of earlier configurations is not reused: free it.
                import torch._dynamo
                torch._dynamo.reset()
                self.flex = None
        return rows

    def classify(self, e):
        text = ("%s: %s" % (type(e).__name__, e)).strip().splitlines()[0][:300]
        if "No available kernel" in str(e) or "not supported" in str(e).lower():
            return "unsupported", text
        return "error", text

    def inputs(self, cfg, dtype):
        torch = self.torch
        s = cfg["shape"]
        dt = getattr(torch, DTYPES[dtype])
        count = pc.input_sets(self.plan, cfg, DTYPE_BYTES[dtype])
        gen = torch.Generator(device="cpu").manual_seed(cfg["seed"] & 0x7FFFFFFF)
        sets = []
        for _ in range(count):
            sets.append(tuple(torch.randn(shape, generator=gen, dtype=torch.float32).to(dt).to(self.device)
                              for shape in ((s["batch"], s["heads_q"], s["seq_q"], s["head_dim"]),
                                            (s["batch"], s["heads_kv"], s["seq_k"], s["head_dim"]),
                                            (s["batch"], s["heads_kv"], s["seq_k"], s["value_dim"]),
                                            (s["batch"], s["heads_q"], s["seq_q"], s["value_dim"]))))
        return sets

    def timer(self):
        torch = self.torch
        if self.kind == "cuda":
            start = torch.cuda.Event(enable_timing=True)
            end = torch.cuda.Event(enable_timing=True)

            def timed(call):
                start.record()
                call()
                end.record()
                end.synchronize()
                return start.elapsed_time(end)
            return timed, "device-events"

        def timed(call):
            t0 = time.perf_counter()
            call()
            return (time.perf_counter() - t0) * 1e3
        return timed, "host-wall"

    def measure(self, cfg, dtype, direction, fn, sets, row):
        torch = self.torch
        np = self.np
        backward = direction == "backward"
        tol = pc.tolerance(dtype, self.kind, backward)
        pairs_list, rows = pc.sample_rows(cfg)
        group = cfg["shape"]["heads_q"] // cfg["shape"]["heads_kv"]
        q, k, v, dout = sets[0]
        if not backward:
            with torch.no_grad():
                out = fn(q, k, v)
            actual = [out[b, h, rows].float().cpu().numpy() for b, h in pairs_list]
            expected = [pc.reference_rows(np, cfg, *self.head(q, k, v, b, h, group), b, h, rows)
                        for b, h in pairs_list]
        else:
            qg, kg, vg = (x.detach().clone().requires_grad_(True) for x in (q, k, v))
            out = fn(qg, kg, vg)
            dq, = torch.autograd.grad(out, (qg,), dout)
            actual = [dq[b, h, rows].float().cpu().numpy() for b, h in pairs_list]
            expected = [reference_dq_rows(torch, np, cfg, *self.head(q, k, v, b, h, group),
                                          dout[b, h, rows].float().cpu().numpy().astype(np.float64), b, h, rows)
                        for b, h in pairs_list]
        pairs = self.allowed_pairs(cfg, q, k, group)
        err = pc.relative_error(np, np.concatenate(actual), np.concatenate(expected))
        samples = "rows %d..%d (%d rows) of %s" % (rows[0], rows[-1] + 1, len(rows), pairs_list)
        if err is None or err > tol:
            note = "float64 check failed: " + ("non-finite values" if err is None else "relative error %.3g" % err)
            return row("failed_check", note, allowed_pairs=pairs, rel_error=err, tol=tol, samples=samples)
        timed, timer = self.timer()
        if not backward:
            def once(i):
                qi, ki, vi, _ = sets[i]
                with torch.no_grad():
                    return timed(lambda: fn(qi, ki, vi))
            n = len(sets)
        else:
            n = min(len(sets), 4)
            graphs = []
            for i in range(n):
                qi, ki, vi, di = sets[i]
                leaves = tuple(x.detach().clone().requires_grad_(True) for x in (qi, ki, vi))
                graphs.append((fn(*leaves), leaves, di))

            def once(i):
                o, leaves, di = graphs[i]
                return timed(lambda: torch.autograd.grad(o, leaves, di, retain_graph=True))
        samples_ms = pc.measure(self.plan["timing"], once, n, self.budget)
        stats = pc.time_stats(samples_ms, self.plan["timing"]["warmup"], timer)
        return row("ok", "", stats=stats, allowed_pairs=pairs, rel_error=err, tol=tol, samples=samples)

    def head(self, q, k, v, b, h, group):
        return (q[b, h].float().cpu().numpy(), k[b, h // group].float().cpu().numpy(),
                v[b, h // group].float().cpu().numpy())

    def allowed_pairs(self, cfg, q, k, group):
        """P of this configuration on input set 0: static masks counted exactly; block top-k from the selection
        on these inputs (kept tiles times their allowed pairs); token top-k as min(k, allowed) per row."""
        np = self.np
        s = cfg["shape"]
        m = cfg["mask"]
        if pc.is_dense(cfg):
            return pc.dense_pairs(cfg)
        static = pc.static_mask_full(np, cfg)
        reps = (s["batch"] // static.shape[0]) * (s["heads_q"] // static.shape[1])
        t = m.get("block_topk")
        kk = m.get("token_topk")
        if not t and not kk:
            return int(np.count_nonzero(static)) * reps
        if kk and not t:
            return int(np.minimum(static.sum(axis=-1), kk).sum()) * reps
        if t and not kk:
            counts = pc.tile_counts(np, static, t["block_q"], t["block_k"])
            scale = 1.0 / math.sqrt(s["head_dim"])
            total = 0
            for b in range(s["batch"]):
                for h in range(s["heads_q"]):
                    qh, kh, _ = self.head(q, k, k, b, h, group)
                    c = counts[b if counts.shape[0] > 1 else 0, h if counts.shape[1] > 1 else 0]
                    sc = scale * (pc.tile_means(np, qh.astype(np.float64), t["block_q"])
                                  @ pc.tile_means(np, kh.astype(np.float64), t["block_k"]).T)
                    total += int((pc.block_topk_keep(np, sc, c > 0, t["k"]) * c).sum())
            return total
        total = 0
        rows = np.arange(s["seq_q"])
        for b in range(s["batch"]):
            for h in range(s["heads_q"]):
                qh, kh, _ = self.head(q, k, k, b, h, group)
                total += int(np.count_nonzero(pc.allowed_rows(np, cfg, qh, kh, b, h, rows)))
        return total


# -------------------------------------------------------------------------------------------------------------
# Plain PyTorch pieces (eager peer and the float64 dQ reference)

def torch_normalize(torch, s, allowed, normalizer):
    z = s.masked_fill(~allowed, float("-inf"))
    any_allowed = allowed.any(dim=-1, keepdim=True)
    if normalizer == "softmax":
        # Rows with no allowed key: softmax over zeros instead of -inf, so that neither the value nor the
        # gradient holds NaN; the row's weights are then set to 0.
        p = torch.softmax(torch.where(any_allowed, z, torch.zeros_like(z)), dim=-1)
        return torch.where(any_allowed, p, torch.zeros_like(p))
    entmax = normalizer == "entmax15"
    if entmax:
        z = z / 2
    zs, _ = torch.sort(z, dim=-1, descending=True)
    finite = torch.isfinite(zs)
    zs0 = torch.where(finite, zs, torch.zeros_like(zs))
    kk = torch.arange(1, z.shape[-1] + 1, dtype=z.dtype, device=z.device)
    cs = zs0.cumsum(-1)
    if entmax:
        mean = cs / kk
        mean_sq = (zs0 * zs0).cumsum(-1) / kk
        tau = mean - torch.sqrt(torch.clamp((1 - kk * (mean_sq - mean * mean)) / kk, min=0))
        support = (tau <= zs) & finite
    else:
        support = (1 + kk * zs > cs) & finite
    size = support.sum(-1, keepdim=True)
    idx = torch.clamp(size - 1, min=0)
    if entmax:
        tau_star = tau.gather(-1, idx)
    else:
        tau_star = (cs.gather(-1, idx) - 1) / torch.clamp(size, min=1).to(z.dtype)
    p = torch.clamp(z - tau_star, min=0)
    p = torch.where(torch.isfinite(z), p, torch.zeros_like(p))
    if entmax:
        p = p * p
    return torch.where(any_allowed & (size > 0), p, torch.zeros_like(p))


def torch_token_topk(torch, s, allowed, k):
    if k >= s.shape[-1]:
        return allowed
    idx = s.masked_fill(~allowed, float("-inf")).topk(k, dim=-1).indices
    keep = torch.zeros_like(allowed)
    keep.scatter_(-1, idx, True)
    return keep & allowed


def torch_block_topk(torch, q, k, scale, candidates, t, nq, nk):
    """Kept-tile token mask [H, Nq, Nk] for one batch element (tile means, scores, top-k over candidates)."""
    bq, bk = t["block_q"], t["block_k"]
    qt, kt = candidates.shape[-2], candidates.shape[-1]
    qp = torch.nn.functional.pad(q, (0, 0, 0, qt * bq - nq))
    kp = torch.nn.functional.pad(k, (0, 0, 0, kt * bk - nk))
    qcount = torch.clamp(nq - torch.arange(qt, device=q.device) * bq, max=bq).to(q.dtype)
    kcount = torch.clamp(nk - torch.arange(kt, device=q.device) * bk, max=bk).to(q.dtype)
    qm = qp.view(q.shape[0], qt, bq, -1).sum(2) / qcount[:, None]
    km = kp.view(k.shape[0], kt, bk, -1).sum(2) / kcount[:, None]
    scores = (qm @ km.transpose(-1, -2)) * scale
    scores = scores.masked_fill(~candidates, float("-inf"))
    idx = scores.topk(min(t["k"], kt), dim=-1).indices
    keep = torch.zeros(scores.shape, dtype=torch.bool, device=q.device)
    keep.scatter_(-1, idx, True)
    keep &= candidates
    return keep.repeat_interleave(bq, dim=-2).repeat_interleave(bk, dim=-1)[..., :nq, :nk]


def reference_dq_rows(torch, np, cfg, q, k, v, dout_rows, b, h, rows):
    """dQ of rows `rows` in float64 (autograd on the CPU through the SPEC's computation for those rows; each row's
    dQ depends only on that row, with the selections held fixed as the SPEC says)."""
    allowed = torch.from_numpy(pc.allowed_rows(np, cfg, q, k, b, h, rows))
    scale = 1.0 / math.sqrt(cfg["shape"]["head_dim"])
    qr = torch.from_numpy(q.astype(np.float64)[np.asarray(rows)]).requires_grad_(True)
    kt = torch.from_numpy(k.astype(np.float64))
    vt = torch.from_numpy(v.astype(np.float64))
    p = torch_normalize(torch, (qr @ kt.T) * scale, allowed, cfg["mask"]["normalizer"])
    out = p @ vt
    dq, = torch.autograd.grad(out, (qr,), torch.from_numpy(dout_rows))
    return dq.numpy()


def driver_version():
    try:
        r = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                           capture_output=True, text=True, timeout=20)
        return r.stdout.strip().splitlines()[0] if r.returncode == 0 and r.stdout.strip() else None
    except (OSError, subprocess.SubprocessError):
        return None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plan", required=True, help="plan written by `attn4j bench --plan-out` or --peers")
    ap.add_argument("--out", required=True, help="results document to write (schema attn4j-bench/1)")
    ap.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    ap.add_argument("--scale", choices=["full", "cpu"], help="configurations to run (default: full on cuda,"
                    " cpu on cpu)")
    ap.add_argument("--flex", action="store_true", help="also run FlexAttention on the CPU")
    ap.add_argument("--mask-limit-gib", type=float, default=4.0, help="largest dense boolean mask for SDPA")
    ap.add_argument("--math-limit-gib", type=float, default=24.0,
                    help="largest score matrices for the math backend and the eager peer")
    args = ap.parse_args(argv)
    scale = args.scale or ("full" if args.device == "cuda" else "cpu")
    name = "torch-" + args.device
    try:
        import numpy as np
        import torch
    except ImportError as e:
        pc.write_document(args.out, "torch_peer.py", pc.environment(), [],
                          [{"name": name, "status": "skipped", "note": "not installed: %s" % e}])
        sys.stderr.write("torch_peer: %s; skipped\n" % e)
        return pc.EXIT_UNAVAILABLE
    software = {"torch": torch.__version__, "numpy": np.__version__}
    if args.device == "cuda" and not torch.cuda.is_available():
        pc.write_document(args.out, "torch_peer.py", pc.environment(software=software), [],
                          [{"name": name, "status": "skipped", "note": "PyTorch sees no CUDA device"}])
        sys.stderr.write("torch_peer: no CUDA device; skipped\n")
        return pc.EXIT_UNAVAILABLE
    plan = pc.load_plan(args.plan)
    peer = Peer(torch, np, plan, args.device, args)
    if args.device == "cuda":
        env = pc.environment(device=torch.cuda.get_device_name(0), driver=driver_version(), cuda=torch.version.cuda,
                             software=software)
    else:
        env = pc.environment(software=software)
    rows = peer.run(pc.select_configs(plan, scale))
    note = "PyTorch %s on %s" % (torch.__version__, peer.device_name)
    pc.write_document(args.out, "torch_peer.py", env, rows, [{"name": name, "status": "ok", "note": note}])
    return 0


if __name__ == "__main__":
    sys.exit(main())
