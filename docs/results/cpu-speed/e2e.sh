#!/usr/bin/env bash
# Whole-process cost of `./attn4j run` at B=1 H=8 N=4096 D=64 fp32: dense vs a random 10% block mask (128 x 128
# cells, a different set per head), best of RUNS whole processes each, and their ratio. Inputs are made once with
# NumPy in DIR. Pauses the other engineers' `attn4j-cli.jar reason` jobs while it measures (and always resumes them).
#   docs/results/cpu-speed/e2e.sh [DIR] [RUNS]     (ATTN4J_VECTOR=off for the plain-Java kernels)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
DIR="${1:-/tmp/attn4j-e2e}"
RUNS="${2:-3}"
mkdir -p "$DIR"
python3 - "$DIR" <<'PY'
import os, sys
import numpy as np
d = sys.argv[1]
if not os.path.exists(os.path.join(d, "mask10.npy")):
    r = np.random.default_rng(0)
    for n in "qkv":
        np.save(os.path.join(d, n + ".npy"), r.standard_normal((1, 8, 4096, 64), dtype=np.float32))
    m = np.zeros((1, 8, 32, 32), dtype=bool)
    for h in range(8):
        m[0, h].flat[r.choice(32 * 32, size=102, replace=False)] = True
    np.save(os.path.join(d, "mask10.npy"), m)
PY
"$ROOT/attn4j" info > /dev/null 2>&1 # builds the jar if needed, outside the timing
trap 'pkill -CONT -f "attn4j-cli.jar reason" || true' EXIT
pkill -STOP -f 'attn4j-cli.jar reason' || true
echo "load: $(uptime)"
best() {
  local b=999999 t
  for _ in $(seq "$RUNS"); do
    t=$( { /usr/bin/time -f %e "$ROOT/attn4j" run --q "$DIR/q.npy" --k "$DIR/k.npy" --v "$DIR/v.npy" \
      --out "$DIR/o.npy" "$@" > /dev/null 2> "$DIR/err.txt"; } 2>&1; tail -n 1 "$DIR/err.txt")
    b=$(python3 -c "print(min($b, $t))")
  done
  echo "$b"
}
dense=$(best)
sparse=$(best --block-mask "$DIR/mask10.npy" --block-size 128,128)
python3 -c "print('dense %.2f s, 10%% block mask %.2f s, ratio %.3f' % ($dense, $sparse, $sparse / $dense))"
