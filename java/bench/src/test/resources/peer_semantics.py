"""Test helper: evaluates peer_common.reference_rows (the peers' float64 reading of the SPEC) on data given by the
Java test, so that the test can compare it with attn4j's reference provider.
Usage: python3 peer_semantics.py SCRIPTS_DIR IN.json OUT.json"""
import json
import sys

sys.path.insert(0, sys.argv[1])
import numpy as np  # noqa: E402
import peer_common as pc  # noqa: E402

with open(sys.argv[2]) as f:
    job = json.load(f)
out = []
for case in job["cases"]:
    cfg = case["config"]
    s = cfg["shape"]
    q = np.array(case["q"], dtype=np.float32).reshape(s["batch"], s["heads_q"], s["seq_q"], s["head_dim"])
    k = np.array(case["k"], dtype=np.float32).reshape(s["batch"], s["heads_kv"], s["seq_k"], s["head_dim"])
    v = np.array(case["v"], dtype=np.float32).reshape(s["batch"], s["heads_kv"], s["seq_k"], s["value_dim"])
    group = s["heads_q"] // s["heads_kv"]
    rows = list(range(s["seq_q"]))
    o = []
    for b in range(s["batch"]):
        for h in range(s["heads_q"]):
            o.append(pc.reference_rows(np, cfg, q[b, h], k[b, h // group], v[b, h // group], b, h, rows))
    out.append(np.concatenate(o).ravel().tolist())
with open(sys.argv[3], "w") as f:
    json.dump(out, f)
