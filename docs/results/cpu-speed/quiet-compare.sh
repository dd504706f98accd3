#!/usr/bin/env bash
# Issue 15 in one sitting on a quiet machine (pauses nothing: run it when the cores are idle).
#   docs/results/cpu-speed/quiet-compare.sh OUT [BEFORE_CLASSES]
# 1. ./attn4j bench at B=1 H=8 N=4096 D=64 fp32 forward (dense, causal, block-sparse 10%, token top-409) with the
#    NumPy peer and, when ATTN4J_PLUGINS holds the torch peer (docs/benchmarks/torch-peer.md), torch-sdpa: one run.
# 2. Dense.java on the cpu provider now and, with BEFORE_CLASSES (api and cpu target/classes of the commit before
#    issue 15, colon-separated), before: best of 4 warm calls each, dense and token top-k, back to back.
# 3. e2e.sh: the whole-process `./attn4j run` ratio, 10% block mask vs dense.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
OUT="${1:?usage: quiet-compare.sh OUT [BEFORE_CLASSES]}"
BEFORE="${2:-}"
mkdir -p "$OUT"
cd "$ROOT"
"$ROOT/attn4j" info > /dev/null 2>&1
printf 'name,batch,heads,seq,head_dim,block,masks\njmh,1,8,4096,64,128,dense;causal;block_sparse:10;token_topk:409\n' \
  > "$OUT/shapes.csv"
peers=(numpy)
case "${ATTN4J_PLUGINS:-}" in *torch-peer*) peers+=(torch-sdpa) ;; esac
echo "== bench ($(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg))"
"$ROOT/attn4j" bench --provider cpu --peers "${peers[@]}" --shapes "$OUT/shapes.csv" --direction forward \
  --json "$OUT/bench.json" --report "$OUT/report" 2>&1 | grep -v '^\[' | tee "$OUT/bench.txt"
SLF4J="$(ls ~/.m2/repository/org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar)"
NOW="java/api/target/classes:java/cpu/target/classes:$SLF4J"
for mode in dense topk; do
  echo "== Dense.java $mode ($(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg))"
  java --add-modules jdk.incubator.vector -cp "$NOW" docs/results/cpu-speed/Dense.java 4096 "$mode" 5 2>&1 \
    | grep -v WARNING | sed 's/^/now (vector): /'
  java -Dattn4j.cpu.simd=scalar -cp "$NOW" docs/results/cpu-speed/Dense.java 4096 "$mode" 5 2>&1 \
    | sed 's/^/now (plain): /'
  if [ -n "$BEFORE" ]; then
    java -cp "$BEFORE:$SLF4J" docs/results/cpu-speed/Dense.java 4096 "$mode" 4 2>&1 | sed 's/^/before: /'
  fi
done 2>&1 | tee "$OUT/dense.txt"
echo "== e2e ($(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg))"
docs/results/cpu-speed/e2e.sh /tmp/attn4j-e2e 3 2>&1 | tee "$OUT/e2e.txt"
