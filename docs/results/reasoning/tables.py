#!/usr/bin/env python3
"""Markdown tables of docs/results/reasoning/README.md from runs/*.json (standard library only).

Usage: python3 docs/results/reasoning/tables.py [length|alpha|static|sparse|gpt|normalizers|seeds|repro|provenance|all]
"""
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    path = os.path.join(HERE, "runs", name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def trained(run):
    return run["tests"][0]


def conv(run):
    s = run.get("samples_to_converge")
    return f"{s:,}" if s is not None else f"not in {run['samples_seen']:,}"


def row(cells):
    print("| " + " | ".join(str(c) for c in cells) + " |")


def head(*titles):
    row(titles)
    row(["---"] * len(titles))


def summary(label, run):
    if run is None:
        return
    t = trained(run)
    row([label, conv(run), f"{t['accuracy']:.3f}", f"{t['exact_match']:.3f}", f"{t['cot_length']:.2f}",
         f"{t['attended_fraction']:.3f}", f"{t['cpu_ms_per_problem']:.3f}", f"{run['train_cpu_seconds']:.0f}"])


SUMMARY = ("run", "samples to exact match 1.0", "accuracy", "exact", "chain", "attended fraction",
           "CPU ms / problem", "training CPU s")


def length():
    for name in ("length-dense", "length-tokentopk2", "length-tokentopk0.5", "length-blocktopk2x4", "length-window4"):
        run = load(name)
        if run is None:
            continue
        print(f"\n`{name}` ({run['attention']}, {conv(run)} samples to exact match 1.0):\n")
        head("cells", "decode attention", "accuracy", "exact", "attended fraction", "cross pairs attended",
             "ms / problem", "CPU ms / problem")
        for t in run["tests"]:
            cross = t["pairs"].get("cross", [0, 0])
            row([t["input_length"], t["decode_attention"], f"{t['accuracy']:.3f}", f"{t['exact_match']:.3f}",
                 f"{t['attended_fraction']:.4f}", f"{cross[0] / max(1, cross[1]):.4f}",
                 f"{t['ms_per_problem']:.2f}", f"{t['cpu_ms_per_problem']:.2f}"])


def table(task, entries):
    """A summary table of the runs that exist among (label, name); a line saying so when none does."""
    runs = [(label, load(name)) for label, name in entries]
    runs = [(label, run) for label, run in runs if run is not None]
    print(f"\n{task}:\n")
    if not runs:
        print("(not run: no time left on the shared machine)")
        return
    head(*SUMMARY)
    for label, run in runs:
        summary(label, run)


def alpha():
    for task in ("pointer", "sum", "linalg"):
        entries = [("dense", f"{task}-dense")]
        for a in ("0.1", "0.3", "0.5", "0.7"):
            keep = f"{1 - float(a):.1f}"
            entries += [(f"tokentopk:{keep} (alpha {a})", f"{task}-tokentopk{keep}"),
                        (f"blocktopk:{keep},2 (alpha {a})", f"{task}-blocktopk{keep}"),
                        (f"blocktopk:{keep},2 (alpha {a}), budget 150,000", f"{task}-blocktopk{keep}-150k"),
                        (f"M_t alpha {a}", f"{task}-mask{a}"),
                        (f"tokentopk:{keep} + M_t alpha {a}", f"{task}-tokentopk{keep}-mask{a}")]
        table(task, entries)


def static():
    for task, suffix in (("pointer", ""), ("parity", ""), ("sum", ""), ("linalg", ""), ("linalg3", ""),
                         ("linalg3", "-300k")):
        runs = [(label, f"{task}-{p}{suffix}") for p, label in (
            ("dense", "dense"), ("window2", "window:2,1 (static)"), ("blockmask0.5", "blockmask:0.5,2 (static)"),
            ("tokentopk0.5", "tokentopk:0.5 (dynamic)"), ("blocktopk0.5", "blocktopk:0.5,2 (dynamic)"))]
        table(task + (", budget 300,000" if suffix else ""), runs)


def gpt():
    head("task", "arch", "parameters", "samples to exact match 1.0", "accuracy", "exact", "CPU ms / problem",
         "training CPU s")
    for task in ("pointer", "parity", "sum", "linalg"):
        for name in (f"{task}-dense", f"{task}-gpt"):
            run = load(name)
            if run is None:
                continue
            t = trained(run)
            row([task, run["arch"], f"{run['parameters']:,}", conv(run), f"{t['accuracy']:.3f}",
                 f"{t['exact_match']:.3f}", f"{t['cpu_ms_per_problem']:.3f}", f"{run['train_cpu_seconds']:.0f}"])


def normalizers():
    head("task", "attention", "output", "samples to exact match 1.0", "accuracy", "exact", "output support")
    for task in ("pointer", "parity", "sum", "linalg"):
        for name in (f"{task}-dense", f"{task}-out-sparsemax", f"{task}-out-sparsemax-150k", f"{task}-attn-sparsemax",
                     f"{task}-attn-entmax15"):
            run = load(name)
            if run is None:
                continue
            t = trained(run)
            row([task, run["settings"]["normalizer"], run["output"], conv(run), f"{t['accuracy']:.3f}",
                 f"{t['exact_match']:.3f}", f"{t['output_support']:.2f}"])


def sparse():
    """The sum with fewer keys than a group of inputs (counts, not fractions), and token top-k with M_t."""
    table("sum", [("dense", "sum-dense"), ("tokentopk:0.5", "sum-tokentopk0.5"), ("tokentopk:0.3", "sum-tokentopk0.3"),
                  ("tokentopk:6", "sum-tokentopk6"), ("tokentopk:2", "sum-tokentopk2"), ("tokentopk:1", "sum-tokentopk1"),
                  ("blocktopk:0.3,2", "sum-blocktopk0.3"), ("blocktopk:1,2", "sum-blocktopk1x2"),
                  ("tokentopk:0.5 + M_t alpha 0.5", "sum-tokentopk0.5-mask0.5")])


SEEDED = ("pointer-dense", "pointer-tokentopk0.5", "pointer-blocktopk0.5", "pointer-gpt", "pointer-tokentopk0.3",
          "pointer-mask0.7", "pointer-tokentopk0.3-mask0.7", "parity-blockmask0.5",
          "sum-dense", "sum-tokentopk0.5", "sum-tokentopk0.3", "sum-blocktopk0.3", "sum-window2", "linalg-dense", "linalg-tokentopk0.5")


def seeds():
    """Every run repeated with seeds 1 and 2: one row per seed, then the three seeds together."""
    head("run", "arch", "attention", "seed", "samples to exact match 1.0", "accuracy", "exact", "attended fraction")
    for base in SEEDED:
        runs = [load(base + s) for s in ("", "-seed1", "-seed2")]
        runs = [r for r in runs if r is not None]
        if len(runs) < 2:
            continue
        for run in runs:
            t = trained(run)
            row([base, run["arch"], run["attention"], run["settings"]["seed"], conv(run), f"{t['accuracy']:.3f}",
                 f"{t['exact_match']:.3f}", f"{t['attended_fraction']:.3f}"])
        done = [r["samples_to_converge"] for r in runs if r.get("samples_to_converge") is not None]
        mean = f"mean {sum(done) / len(done):,.0f} ({len(done)} of {len(runs)} converged)" if done else \
            f"none of {len(runs)} converged"
        acc = sum(trained(r)["accuracy"] for r in runs) / len(runs)
        row([f"**{base}**", "", "", "all", f"**{mean}**", f"**{acc:.3f}**", "", ""])


def repro():
    """The first session's runs (740a8d6) against the same command at this session's commit (repro-*)."""
    head("run", "commit", "samples to exact match 1.0", "accuracy", "exact", "loss at the first check",
         "loss at the last check")
    for name in ("parity-dense", "pointer-dense", "sum-gpt"):
        for run, label in ((load(name), "740a8d6"), (load("repro-" + name), "41210da")):
            if run is None:
                continue
            t = trained(run)
            h = run["history"]
            row([name, label, conv(run), f"{t['accuracy']:.3f}", f"{t['exact_match']:.3f}", f"{h[0]['loss']:.6f}",
                 f"{h[-1]['loss']:.6f}"])


def provenance():
    """Every run: when and from which commit (runs/commands.txt), the load average around it, wall and CPU time."""
    started = {}
    with open(os.path.join(HERE, "runs", "commands.txt")) as f:
        for line in f:
            words = line.split()
            if len(words) > 3 and words[1] == "commit":
                name = next(w for w in words if w.endswith(":")).rstrip(":")
                started[name] = (words[0], words[2])
    head("run", "started (UTC)", "commit", "load average before / after", "wall s", "training CPU s")
    for path in sorted(glob.glob(os.path.join(HERE, "runs", "*.json"))):
        name = os.path.basename(path)[:-5]
        run = load(name)
        when, commit = started.get(name, ("?", "?"))
        la = run["load_average"]
        row([name, when, commit, f"{la[0]:.1f} / {la[1]:.1f}", f"{run['seconds']:.0f}",
             f"{run['train_cpu_seconds']:.0f}"])


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    for name, f in (("length", length), ("alpha", alpha), ("static", static), ("sparse", sparse), ("gpt", gpt),
                    ("normalizers", normalizers), ("seeds", seeds), ("repro", repro), ("provenance", provenance)):
        if which in (name, "all"):
            print(f"\n## {name}")
            f()
