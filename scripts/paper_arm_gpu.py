#!/usr/bin/env python3
"""The paper's arm of Figure 3a (Wen et al., seed 001) on a GPU, as a cross-check of attn4j's CPU runs.

attn4j trains its small models on 2 CPU cores; the paper's model (GPT-2, hidden 720, MLP 4 x 720, 1 layer, 1 head,
trainable positions) needs about 100 times the work per sample, so this script trains that model with PyTorch on a
GPU instead, in the paper's setting:
  - the whole model and the optimiser state in bfloat16 (the reference code casts the model with .to(bfloat16));
  - Adam (0.9, 0.999), weight decay 0, eps 1e-8 (torch.optim.AdamW), gradient clipping 1.0;
  - batch 512 of fresh samples per step, learning rate decaying linearly to 0 over --decay-samples (10^6 for
    Figure 3a in the reference figure script, 10^7 elsewhere);
  - dropout 0.1 on the embeddings, the residual branches and the attention weights;
  - one fixed secret per (n, k) drawn from --secret-seed, never containing the last input (as attn4j does);
  - 2048 held-out sequences (never trained on) evaluated every 2048 samples, teacher-forced exact match over every
    token after the inputs; the run stops at exact match >= --threshold.
It writes one JSON per run with the keys attn4j's `parity --json` uses (n, k, cot, secret, converged,
sample_complexity, samples_seen, final_exact_match, samples_to_exact_match, samples_to_secret_probability,
secret_probability_by_row, cot_entropy_mean, history, settings), so `./attn4j figure --kind by-k` draws them beside
the CPU runs.

Written from the paper's description, not from its code. Needs PyTorch (any version with torch.nn.functional);
runs on the CPU too (slowly) for a smoke test: --device cpu --dim 32 --n 8 --k 2.

Example (the Figure 3a grid, as scripts/seed001_runs.sh gpu runs it; an estimate from the FLOP count, not a
measurement: 5-10 minutes per run of 10^6 samples on one H200, 27 runs per seed):
  for k in 20 40 60 80 100; do for lr in 6e-5 8e-5 1e-4; do for seed in 0 1 2; do
    python3 scripts/paper_arm_gpu.py --n 100 --k $k --lr $lr --seed $seed --budget 1000000 \\
        --decay-samples 1000000 --threshold 0.995 --out out/paper-n100-k$k-lr$lr-seed$seed.json
  done; done; done
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F

LEVELS = [0.9, 0.99, 0.995, 1.0]


def secret_set(n, k, seed):
    g = torch.Generator().manual_seed(seed)
    while True:
        s = sorted(torch.randperm(n, generator=g)[:k].tolist())
        if k == n or s[-1] != n - 1:
            return s


def sequences(bits, secret, cot):
    """bits [B, n] -> tokens: inputs, then with CoT 0 and the k partial parities, without CoT the parity."""
    picked = bits[:, secret]
    if cot:
        partial = torch.cumsum(picked, dim=1) % 2
        zero = torch.zeros_like(bits[:, :1])
        return torch.cat([bits, zero, partial], dim=1)
    return torch.cat([bits, picked.sum(dim=1, keepdim=True) % 2], dim=1)


class Block(torch.nn.Module):
    def __init__(self, d, heads, mlp, p):
        super().__init__()
        self.heads = heads
        self.ln_1 = torch.nn.LayerNorm(d, eps=1e-5)
        self.c_attn = torch.nn.Linear(d, 3 * d)
        self.c_proj = torch.nn.Linear(d, d)
        self.ln_2 = torch.nn.LayerNorm(d, eps=1e-5)
        self.c_fc = torch.nn.Linear(d, mlp)
        self.mlp_proj = torch.nn.Linear(mlp, d)
        self.p = p

    def forward(self, x, keep_attention=False):
        b, t, d = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d // self.heads)
        causal = torch.ones(t, t, dtype=torch.bool, device=x.device).tril()
        scores = scores.masked_fill(~causal, torch.finfo(scores.dtype).min)
        probs = torch.softmax(scores, dim=-1)
        attn = F.dropout(probs, self.p, self.training) @ v
        a = F.dropout(self.c_proj(attn.transpose(1, 2).reshape(b, t, d)), self.p, self.training)
        x = x + a
        h = F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh")
        x = x + F.dropout(self.mlp_proj(h), self.p, self.training)
        return x, (probs if keep_attention else None)


class Gpt(torch.nn.Module):
    """GPT-2 (pre-LayerNorm, gelu_new, learned positions, head tied to the token embedding), GPT-2's init."""

    def __init__(self, length, d, layers, heads, mlp, p):
        super().__init__()
        self.wte = torch.nn.Embedding(2, d)
        self.wpe = torch.nn.Embedding(length, d)
        self.blocks = torch.nn.ModuleList(Block(d, heads, mlp, p) for _ in range(layers))
        self.ln_f = torch.nn.LayerNorm(d, eps=1e-5)
        self.p = p
        for name, w in self.named_parameters():
            if name.endswith("bias"):
                torch.nn.init.zeros_(w)
            elif "ln" in name:
                torch.nn.init.ones_(w)
            elif name.endswith("c_proj.weight") or name.endswith("mlp_proj.weight"):
                torch.nn.init.normal_(w, 0, 0.02 / math.sqrt(2 * layers))
            else:
                torch.nn.init.normal_(w, 0, 0.02)

    def forward(self, tokens, keep_attention=False):
        pos = torch.arange(tokens.shape[1], device=tokens.device)
        x = F.dropout(self.wte(tokens) + self.wpe(pos), self.p, self.training)
        maps = []
        for blk in self.blocks:
            x, a = blk(x, keep_attention)
            maps.append(a)
        return self.ln_f(x) @ self.wte.weight.t(), maps


def evaluate(model, tokens, n, k, secret, cot):
    model.eval()
    with torch.no_grad():
        logits, maps = model(tokens, keep_attention=True)
    model.train()
    t = tokens.shape[1]
    pred = logits[:, n - 1:t - 1].argmax(-1)
    exact = (pred == tokens[:, n:]).all(dim=1).float().mean().item()
    p = maps[0].float()  # [B, H, T, T], first layer
    rows = torch.arange(t, device=tokens.device)
    logs = torch.log(torch.clamp(rows + 1, min=2).float())
    ent = -(p * torch.log(p.clamp_min(1e-30))).sum(-1) / logs  # [B, H, T]
    eq1 = ent[:, :, 1:].min(dim=2).values.mean(0).tolist()
    out = {"exact_match": exact, "entropy": [eq1]}
    if cot:
        cot_rows = list(range(n, n + k))
        out["cot_entropy_mean"] = [ent[:, :, cot_rows].mean(dim=(0, 2)).tolist()]
        on_secret = torch.stack([p[:, :, r, s] for r, s in zip(cot_rows, secret)], dim=-1)  # [B, H, k]
        by_row = on_secret.max(dim=1).values.mean(0)  # best head, mean over sequences
        out["secret_probability_by_row"] = by_row.tolist()
        out["secret_probability"] = by_row.mean().item()
        out["secret_probability_min"] = by_row.min().item()
    return out


def main():
    a = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("--n", type=int, default=100)
    a.add_argument("--k", type=int, default=20)
    a.add_argument("--no-cot", action="store_true")
    a.add_argument("--lr", type=float, default=1e-4)
    a.add_argument("--seed", type=int, default=0)
    a.add_argument("--secret-seed", type=int, default=0)
    a.add_argument("--budget", type=int, default=1_000_000)
    a.add_argument("--decay-samples", type=int, default=10_000_000)
    a.add_argument("--batch", type=int, default=512)
    a.add_argument("--eval-every", type=int, default=2048)
    a.add_argument("--eval-size", type=int, default=2048)
    a.add_argument("--threshold", type=float, default=1.0)
    a.add_argument("--dim", type=int, default=720)
    a.add_argument("--mlp", type=int, default=0, help="MLP width (default 4 x dim, as GPT-2's n_inner=None)")
    a.add_argument("--layers", type=int, default=1)
    a.add_argument("--heads", type=int, default=1)
    a.add_argument("--dropout", type=float, default=0.1)
    a.add_argument("--dtype", choices=["bf16", "fp32"], default="bf16")
    a.add_argument("--device", default="cuda")
    a.add_argument("--out", required=True)
    o = a.parse_args()
    for name in ("n", "k", "budget", "decay_samples", "batch", "eval_every", "eval_size", "dim", "layers", "heads"):
        if getattr(o, name) < 1:
            a.error(f"--{name.replace('_', '-')}: expected >= 1, got {getattr(o, name)}")
    if o.k > o.n:
        a.error(f"--k: expected 1..n ({o.n}), got {o.k}")
    if not 0 < o.threshold <= 1:
        a.error(f"--threshold: expected (0, 1], got {o.threshold}")
    if o.eval_every % o.batch:
        a.error(f"--eval-every: expected a multiple of --batch ({o.batch}), got {o.eval_every}")
    if o.dim % o.heads:
        a.error(f"--heads: expected a divisor of --dim ({o.dim}), got {o.heads}")
    cot = not o.no_cot
    dev = torch.device(o.device)
    torch.manual_seed(o.seed)
    secret = secret_set(o.n, o.k, o.secret_seed)
    length = o.n + (o.k + 1 if cot else 1)
    model = Gpt(length, o.dim, o.layers, o.heads, o.mlp or 4 * o.dim, o.dropout).to(dev)
    if o.dtype == "bf16":
        model = model.to(torch.bfloat16)
    opt = torch.optim.AdamW(model.parameters(), lr=o.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    total_steps = math.ceil(o.decay_samples / o.batch)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: max(0.0, (total_steps - s) / total_steps))
    g = torch.Generator(device="cpu").manual_seed(o.seed + 1)
    held = torch.randint(0, 2, (o.eval_size, o.n), generator=g)
    held_keys = set(map(tuple, held.tolist()))
    held_tokens = sequences(held, secret, cot).to(dev)
    history, reached, secret_reached = [], {str(l): None for l in LEVELS + [o.threshold]}, None
    seen, start, last = 0, time.time(), None
    while True:
        if seen % o.eval_every == 0 or seen >= o.budget:
            e = evaluate(model, held_tokens, o.n, o.k, secret, cot)
            e["samples"] = seen
            history.append(e)
            last = e
            for lvl in LEVELS + [o.threshold]:
                if reached[str(lvl)] is None and e["exact_match"] >= lvl:
                    reached[str(lvl)] = seen
            if cot and secret_reached is None and e["secret_probability_min"] >= 0.9:
                secret_reached = seen
            print(f"n={o.n} k={o.k} lr={o.lr} seed={o.seed} | {seen} samples | exact {e['exact_match']:.4f} |"
                  f" entropy {e['entropy'][0][0]:.3f} | {time.time() - start:.0f} s", flush=True)
            if e["exact_match"] >= o.threshold or seen >= o.budget:
                break
        bits = torch.randint(0, 2, (o.batch, o.n), generator=g)
        # fresh samples never repeat a held-out input (rare for n >= 30; redrawn like attn4j's ParityData)
        for i, row in enumerate(bits.tolist()):
            while tuple(row) in held_keys:
                row = torch.randint(0, 2, (o.n,), generator=g).tolist()
                bits[i] = torch.tensor(row)
        tokens = sequences(bits, secret, cot).to(dev)
        logits, _ = model(tokens)
        loss = F.cross_entropy(logits[:, o.n - 1:-1].reshape(-1, 2).float(), tokens[:, o.n:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        seen += o.batch
    sc = reached[str(o.threshold)]
    result = {
        "n": o.n, "k": o.k, "cot": cot, "secret": secret, "converged": sc is not None, "sample_complexity": sc,
        "samples_seen": seen, "final_exact_match": last["exact_match"], "entropy": last["entropy"],
        "secret_probability": last.get("secret_probability"),
        "secret_probability_by_row": last.get("secret_probability_by_row", []),
        "secret_probability_min": last.get("secret_probability_min"),
        "cot_entropy_mean": last.get("cot_entropy_mean"), "threshold": o.threshold,
        "samples_to_exact_match": reached,
        "samples_to_secret_probability": {"0.9": secret_reached} if cot else {},
        "seconds": time.time() - start, "model": "gpt", "layers": o.layers, "heads": o.heads, "dim": o.dim,
        "lr": o.lr, "batch": o.batch, "budget": o.budget, "seed": o.seed,
        "attention": f"pytorch {torch.__version__} on {dev}",
        "settings": dict(vars(o), mlp=o.mlp or 4 * o.dim, precision=o.dtype),
        "history": [{"samples": h["samples"], "loss": None, "exact_match": h["exact_match"],
                     "entropy": h["entropy"], "secret_attention": None,
                     "cot_entropy_mean": h.get("cot_entropy_mean"),
                     "secret_probability": h.get("secret_probability"),
                     "secret_probability_min": h.get("secret_probability_min")} for h in history],
    }
    with open(o.out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
