#!/usr/bin/env bash
# The whole-process ratio of section 6 (`./attn4j run`, B=1 H=8 N=4096 D=64 fp32, dense against a 10% block mask)
# on three JVMs, ROUNDS rounds of one process each, alternating: JDK 17 (the default), JDK 25, and JDK 25 with an
# ahead-of-time cache (JEP 483/514/515: classes loaded and linked, method profiles) recorded from one 10% run.
# Inputs from e2e.sh (run it once first). Pauses the seed-run jobs (java -jar /tmp/seed001*) while it measures.
#   docs/results/cpu-speed/e2e-jdk25-aot.sh [DIR] [ROUNDS]   (JDK25 defaults to /usr/lib/jvm/temurin-25-jdk-amd64)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
DIR="${1:-/tmp/attn4j-e2e}"
ROUNDS="${2:-3}"
J17="${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}"
J25="${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
AOT="$DIR/attn4j-run.aot"
[ -f "$DIR/mask10.npy" ] || { echo "no $DIR/mask10.npy: run docs/results/cpu-speed/e2e.sh $DIR first" >&2; exit 1; }
"$ROOT/attn4j" info > /dev/null 2>&1 # builds the jar if needed, outside the timing
trap 'pkill -CONT -f "java -jar /tmp/seed001" || true' EXIT
pkill -STOP -f 'java -jar /tmp/seed001' || true
sparse=(--block-mask "$DIR/mask10.npy" --block-size 128,128)
call() { # ENV... -- ARGS...: wall seconds of one whole process
  local envs=() s e
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  s=$(date +%s.%N)
  env "${envs[@]}" "$ROOT/attn4j" run --q "$DIR/q.npy" --k "$DIR/k.npy" --v "$DIR/v.npy" --out "$DIR/o.npy" "$@" \
    > /dev/null 2> "$DIR/err.txt" || { cat "$DIR/err.txt" >&2; exit 1; }
  e=$(date +%s.%N)
  python3 -c "print('%.3f' % ($e - $s))"
}
rm -f "$AOT"
call JAVA_HOME="$J25" JAVA_OPTS="-XX:AOTCacheOutput=$AOT" -- "${sparse[@]}" > /dev/null
echo "load: $(uptime); AOT cache $(du -h "$AOT" | cut -f1)"
for round in $(seq "$ROUNDS"); do
  for jvm in jdk17 jdk25 jdk25-aot; do
    case $jvm in
      jdk17) e=(JAVA_HOME="$J17") ;;
      jdk25) e=(JAVA_HOME="$J25") ;;
      jdk25-aot) e=(JAVA_HOME="$J25" JAVA_OPTS="-XX:AOTCache=$AOT") ;;
    esac
    d=$(call "${e[@]}" --)
    s=$(call "${e[@]}" -- "${sparse[@]}")
    python3 -c "print('round $round %-10s dense %s s, 10%% block mask %s s, ratio %.3f' % ('$jvm', '$d', '$s', $s / $d))"
  done
done
