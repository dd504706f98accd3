#!/usr/bin/env bash
# Token top-k (B=1 H=8 N=4096 D=64, k = 409) across commits, alternating, in one sitting:
#   docs/results/cpu-speed/topk-ab.sh OUT PRE_JAR NOW_JAR PRE_CLASSES BASE_CLASSES NOW_CLASSES [ROUNDS]
# JARs: CLI fat jars (./attn4j bench harness: its warm-up and medians, dense and token top-k rows); CLASSES: the api
# and cpu target/classes of a commit, colon-separated (Dense.java: every call of one JVM, best of REPS). PRE is the
# code before issue 15, BASE the sitting's starting commit, NOW the change. Pauses the seed-001 training jobs
# (`java -jar /tmp/seed001...`) while it measures and resumes them on exit.
set -euo pipefail
OUT=$1 PRE_JAR=$2 NOW_JAR=$3 PRE=$4 BASE=$5 NOW=$6 ROUNDS=${7:-2}
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
SLF4J="$(ls ~/.m2/repository/org/slf4j/slf4j-api/2.0.1[67]/slf4j-api-2.0.1[67].jar | head -n 1)"
mkdir -p "$OUT"
printf 'name,batch,heads,seq,head_dim,block,masks\njmh,1,8,4096,64,128,dense;token_topk:409\n' > "$OUT/shapes.csv"
pids=$(pgrep -f 'java -jar /tmp/seed001' | tr '\n' ' ' || true)
[ -n "$pids" ] && kill -STOP $pids
trap '[ -n "$pids" ] && kill -CONT $pids' EXIT
dense() { # NAME CLASSES REPS [JVM options]
  local name=$1 classes=$2 reps=$3
  shift 3
  echo "$(date -u +%T) $name: $(java "$@" -cp "$classes:$SLF4J" "$ROOT/docs/results/cpu-speed/Dense.java" 4096 topk "$reps" \
    2>&1 | tail -n 1)"
}
for r in $(seq "$ROUNDS"); do
  for which in pre now; do
    jar=$PRE_JAR
    [ "$which" = now ] && jar=$NOW_JAR
    echo "== bench $which round $r $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
    java --add-modules jdk.incubator.vector -jar "$jar" bench --provider cpu --shapes "$OUT/shapes.csv" \
      --direction forward --json "$OUT/bench-$which-$r.json" 2>&1 | grep '^cpu'
  done
  echo "== Dense.java round $r load $(cut -d' ' -f1-3 /proc/loadavg)"
  dense "pre (vector module, none used)" "$PRE" 3 --add-modules jdk.incubator.vector
  dense "base (vector)" "$BASE" 12 --add-modules jdk.incubator.vector
  dense "now (vector)" "$NOW" 12 --add-modules jdk.incubator.vector
  dense "base (plain)" "$BASE" 8 -Dattn4j.cpu.simd=scalar
  dense "now (plain)" "$NOW" 8 -Dattn4j.cpu.simd=scalar
done 2>&1 | grep -v WARNING
