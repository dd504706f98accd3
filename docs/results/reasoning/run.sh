#!/usr/bin/env bash
# The experiments of docs/results/reasoning/README.md: every run of `./attn4j reason`, one JSON (and a log) each in
# runs/. A run whose JSON exists is skipped, so the script resumes where it stopped. Usage, from anywhere:
#   docs/results/reasoning/run.sh [length|alpha|static|gpt|normalizers|seeds|all]
# JAR=... runs another build of the command line (default: the repository's, built by ./attn4j on first use).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
JAR="${JAR:-$ROOT/java/cli/target/attn4j-cli.jar}"
[ -f "$JAR" ] || "$ROOT/attn4j" --version > /dev/null
RUNS="$HERE/runs"
mkdir -p "$RUNS"
COMMON=(--eval-every 4096 --eval-size 128 --threads 2)

# run NAME FLAGS...: one reason run into runs/NAME.json (skipped when it exists)
run() {
  local name="$1"; shift
  [ -f "$RUNS/$name.json" ] && return 0
  echo "$(date -u +%FT%TZ) $name: reason $*" | tee -a "$RUNS/commands.txt"
  nice -n 10 java -jar "$JAR" reason "$@" "${COMMON[@]}" --json "$RUNS/$name.json" > "$RUNS/$name.log" 2>&1 \
    || { echo "$name failed, see runs/$name.log"; return 1; }
  tail -n +1 "$RUNS/$name.log" | grep -E '^(encdec|gpt) on ' || true
}

POINTER=(--task pointer --n 16 --hops 4 --symbols 64 --max-samples 60000 --test-size 256)
PARITY=(--task parity --n 12 --k 3 --max-samples 60000 --test-size 256)
SUM=(--task sum --n 16 --p 5 --group 8 --max-samples 60000 --test-size 256)
LINALG=(--task linalg --n 2 --p 5 --max-samples 120000 --test-size 256)

# Length scaling: pointer chasing learned on tables of 16 cells (1024 symbols), then reasoning on tables of up to 1024
# cells; the dense model also reasons through per-step sparse attention it was not trained with.
length() {
  local base=(--task pointer --n 16 --hops 4 --symbols 1024 --max-samples 150000 --test-lengths 64,256,1024 --test-size 128)
  run length-dense "${base[@]}" --attention dense --decode-attention tokentopk:1@decoder+cross \
    --decode-attention tokentopk:4 --decode-attention tokentopk:4@decoder+cross --decode-attention blocktopk:2,16 \
    --decode-attention window:8,1
  run length-tokentopk2 "${base[@]}" --attention tokentopk:2
  run length-blocktopk2x4 "${base[@]}" --attention blocktopk:2,4
  run length-window4 "${base[@]}" --attention window:4,1
}

# alpha = 0.1, 0.3, 0.5, 0.7: token top-k and block top-k keeping 1 - alpha of the keys, the feature mask M_t
# dropping alpha of the features, and token top-k with M_t; on pointer chasing (sparse, input-dependent) and on the
# sum (dense: 8 inputs per chain step).
alpha() {
  for task in pointer sum; do
    local flags
    if [ "$task" = pointer ]; then flags=("${POINTER[@]}"); else flags=("${SUM[@]}"); fi
    run "$task-dense" "${flags[@]}" --attention dense
    for a in 0.1 0.3 0.5 0.7; do
      local keep; keep=$(awk "BEGIN { printf \"%.1f\", 1 - $a }")
      run "$task-tokentopk$keep" "${flags[@]}" --attention "tokentopk:$keep"
      run "$task-blocktopk$keep" "${flags[@]}" --attention "blocktopk:$keep,2"
      run "$task-mask$a" "${flags[@]}" --feature-mask "$a"
      run "$task-tokentopk$keep-mask$a" "${flags[@]}" --attention "tokentopk:$keep" --feature-mask "$a"
    done
  done
}

# Static (window and global tokens, a fixed random block mask) against dynamic (token and block top-k) on each task.
static() {
  for task in pointer parity sum linalg; do
    local flags
    case "$task" in
      pointer) flags=("${POINTER[@]}") ;; parity) flags=("${PARITY[@]}") ;;
      sum) flags=("${SUM[@]}") ;; linalg) flags=("${LINALG[@]}") ;;
    esac
    run "$task-dense" "${flags[@]}" --attention dense
    run "$task-window2" "${flags[@]}" --attention window:2,1
    run "$task-blockmask0.5" "${flags[@]}" --attention blockmask:0.5,2
    run "$task-tokentopk0.5" "${flags[@]}" --attention tokentopk:0.5
    run "$task-blocktopk0.5" "${flags[@]}" --attention blocktopk:0.5,2
  done
}

# The decoder-only GPT with the encoder-decoder's parameter count (2 blocks), dense, on the same problems.
gpt() {
  run pointer-gpt "${POINTER[@]}" --arch gpt
  run parity-gpt "${PARITY[@]}" --arch gpt
  run sum-gpt "${SUM[@]}" --arch gpt
  run linalg-gpt "${LINALG[@]}" --arch gpt
}

# Sparsemax output (with its loss) on every task; sparsemax and entmax-1.5 attention on three.
normalizers() {
  run pointer-out-sparsemax "${POINTER[@]}" --output sparsemax
  run parity-out-sparsemax "${PARITY[@]}" --output sparsemax
  run sum-out-sparsemax "${SUM[@]}" --output sparsemax
  run linalg-out-sparsemax "${LINALG[@]}" --output sparsemax
  for norm in sparsemax entmax15; do
    run "pointer-attn-$norm" "${POINTER[@]}" --normalizer "$norm"
    run "parity-attn-$norm" "${PARITY[@]}" --normalizer "$norm"
    run "sum-attn-$norm" "${SUM[@]}" --normalizer "$norm"
  done
}

# Seeds 1 and 2 of the headline comparison: dense against token top-k keeping half the keys.
seeds() {
  for s in 1 2; do
    run "pointer-dense-seed$s" "${POINTER[@]}" --attention dense --seed "$s"
    run "pointer-tokentopk0.5-seed$s" "${POINTER[@]}" --attention tokentopk:0.5 --seed "$s"
    run "sum-dense-seed$s" "${SUM[@]}" --attention dense --seed "$s"
    run "sum-tokentopk0.5-seed$s" "${SUM[@]}" --attention tokentopk:0.5 --seed "$s"
  done
}

case "${1:-all}" in
  length) length ;; alpha) alpha ;; static) static ;; gpt) gpt ;; normalizers) normalizers ;; seeds) seeds ;;
  all) length; alpha; static; gpt; normalizers; seeds ;;
  *) echo "usage: $0 [length|alpha|static|gpt|normalizers|seeds|all]" >&2; exit 2 ;;
esac
