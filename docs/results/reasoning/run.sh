#!/usr/bin/env bash
# The experiments of docs/results/reasoning/README.md: every run of `./attn4j reason`, one JSON (and a log) each in
# runs/. A run whose JSON exists is skipped, so the script resumes where it stopped. Usage, from anywhere:
#   docs/results/reasoning/run.sh [core|more|linalg|linalg3|linalg3_long|sparse_sum|seeds2|round2|sum_k|round3|repro|round4|combo_seeds|length_half|length|alpha|static|gpt|normalizers|seeds|all]
# JAR=... runs another build of the command line (default: the repository's, built by ./attn4j on first use);
# COMMIT=... names the commit that jar was built from in runs/commands.txt (default: the work tree's HEAD).
# Every run is niced (19): the runs of the README shared 2 cores with other work, so their wall and CPU times
# per problem carry that load (each JSON records the load average before and after).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
JAR="${JAR:-$ROOT/java/cli/target/attn4j-cli.jar}"
[ -f "$JAR" ] || "$ROOT/attn4j" --version > /dev/null
RUNS="$HERE/runs"
mkdir -p "$RUNS"
COMMIT="${COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- java || echo +dirty)}"
COMMON=(--eval-every 4096 --eval-size 128 --threads 2)

# run NAME FLAGS...: one reason run into runs/NAME.json (skipped when it exists)
run() {
  local name="$1"; shift
  [ -f "$RUNS/$name.json" ] && return 0
  echo "$(date -u +%FT%TZ) commit $COMMIT load $(cut -d' ' -f1-3 /proc/loadavg) $name: reason $* ${COMMON[*]}" \
    | tee -a "$RUNS/commands.txt"
  nice -n 19 java -jar "$JAR" reason "$@" "${COMMON[@]}" --json "$RUNS/$name.json" > "$RUNS/$name.log" 2>&1 \
    || { echo "$name failed, see runs/$name.log"; return 1; }
  tail -n +1 "$RUNS/$name.log" | grep -E '^(encdec|gpt) on ' || true
}

POINTER=(--task pointer --n 16 --hops 4 --symbols 64 --max-samples 60000 --test-size 256)
PARITY=(--task parity --n 12 --k 3 --max-samples 60000 --test-size 256)
SUM=(--task sum --n 16 --p 5 --group 8 --max-samples 60000 --test-size 256)
LINALG=(--task linalg --n 2 --p 5 --max-samples 120000 --test-size 256)
LINALG3=(--task linalg --n 3 --p 7 --max-samples 150000 --test-size 256)
LINALG3L=(--task linalg --n 3 --p 7 --max-samples 300000 --test-size 256)

# Length scaling: pointer chasing learned on tables of 16 cells (1024 symbols), then reasoning on tables of up to 1024
# cells; the dense model also reasons through per-step sparse attention it was not trained with.
length() {
  local base=(--task pointer --n 16 --hops 4 --symbols 1024 --max-samples 150000 --test-lengths 64,256,1024 --test-size 128)
  run length-dense "${base[@]}" --attention dense --decode-attention tokentopk:1@decoder+cross \
    --decode-attention tokentopk:4 --decode-attention tokentopk:4@decoder+cross --decode-attention blocktopk:2,16 \
    --decode-attention window:8,1
  run length-tokentopk2 "${base[@]}" --attention tokentopk:2
  run length-blocktopk2x4 "${base[@]}" --attention blocktopk:2,4
}

# alpha = 0.1, 0.3, 0.5, 0.7: token top-k and block top-k keeping 1 - alpha of the keys, the feature mask M_t
# dropping alpha of the features, and (pointer) token top-k with M_t; on pointer chasing (sparse, input-dependent)
# and on the sum (dense: 8 inputs per chain step).
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
      if [ "$task" = pointer ]; then
        run "$task-tokentopk$keep-mask$a" "${flags[@]}" --attention "tokentopk:$keep" --feature-mask "$a"
      fi
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

# Sparsemax output (with its loss) on three tasks; sparsemax and entmax-1.5 attention on two.
normalizers() {
  run pointer-out-sparsemax "${POINTER[@]}" --output sparsemax
  run parity-out-sparsemax "${PARITY[@]}" --output sparsemax
  run sum-out-sparsemax "${SUM[@]}" --output sparsemax
  for norm in sparsemax entmax15; do
    run "pointer-attn-$norm" "${POINTER[@]}" --normalizer "$norm"
    run "parity-attn-$norm" "${PARITY[@]}" --normalizer "$norm"
  done
}

# Seeds 1 and 2 of the headline comparison on pointer chasing: dense against token top-k keeping half the keys.
seeds() {
  for s in 1 2; do
    run "pointer-dense-seed$s" "${POINTER[@]}" --attention dense --seed "$s"
    run "pointer-tokentopk0.5-seed$s" "${POINTER[@]}" --attention tokentopk:0.5 --seed "$s"
  done
}

# The runs that fit the time the README's results had (in this order; the sections above hold the full grid):
# the pointer task's headline variants, the dense-dependence control, then the alpha grid and the normalisers.
core() {
  run pointer-dense "${POINTER[@]}" --attention dense
  run pointer-tokentopk0.5 "${POINTER[@]}" --attention tokentopk:0.5
  run pointer-mask0.5 "${POINTER[@]}" --feature-mask 0.5
  run pointer-gpt "${POINTER[@]}" --arch gpt
  run pointer-window2 "${POINTER[@]}" --attention window:2,1
  run pointer-out-sparsemax "${POINTER[@]}" --output sparsemax
  run sum-dense "${SUM[@]}" --attention dense
  run sum-tokentopk0.5 "${SUM[@]}" --attention tokentopk:0.5
  run pointer-blocktopk0.5 "${POINTER[@]}" --attention blocktopk:0.5,2
  for a in 0.1 0.3 0.7; do
    local keep; keep=$(awk "BEGIN { printf \"%.1f\", 1 - $a }")
    run "pointer-tokentopk$keep" "${POINTER[@]}" --attention "tokentopk:$keep"
    run "pointer-mask$a" "${POINTER[@]}" --feature-mask "$a"
  done
  run pointer-attn-sparsemax "${POINTER[@]}" --normalizer sparsemax
  run pointer-attn-entmax15 "${POINTER[@]}" --normalizer entmax15
  run pointer-blockmask0.5 "${POINTER[@]}" --attention blockmask:0.5,2
  run sum-mask0.5 "${SUM[@]}" --feature-mask 0.5
  run sum-window2 "${SUM[@]}" --attention window:2,1
  run sum-gpt "${SUM[@]}" --arch gpt
}

# After the core set, in the time left: the two runs of it that were still learning at 60 000 samples, given
# 150 000; seeds 1 and 2 of pointer dense and token top-k 0.5; static against dynamic on parity and the sum.
more() {
  local long=("${POINTER[@]/60000/150000}")
  run pointer-out-sparsemax-150k "${long[@]}" --output sparsemax
  run pointer-blocktopk0.5-150k "${long[@]}" --attention blocktopk:0.5,2
  seeds
  for p in dense window2 tokentopk0.5; do
    case "$p" in
      dense) run parity-dense "${PARITY[@]}" --attention dense ;;
      window2) run parity-window2 "${PARITY[@]}" --attention window:2,1 ;;
      tokentopk0.5) run parity-tokentopk0.5 "${PARITY[@]}" --attention tokentopk:0.5 ;;
    esac
  done
  run parity-blockmask0.5 "${PARITY[@]}" --attention blockmask:0.5,2
  run parity-blocktopk0.5 "${PARITY[@]}" --attention blocktopk:0.5,2
  run sum-blockmask0.5 "${SUM[@]}" --attention blockmask:0.5,2
  run sum-blocktopk0.5 "${SUM[@]}" --attention blocktopk:0.5,2
}

# Linear algebra (y = A x over Z_5, 2x2; the chain lists the 4 partial sums): first the dense model, and only if it
# reaches exact match 1.0 within the budget the rest (static against dynamic, the GPT, alpha points, M_t).
linalg() {
  run linalg-dense "${LINALG[@]}" --attention dense
  if ! grep -q '"samples_to_converge" *: *[0-9]' "$RUNS/linalg-dense.json"; then
    echo "linalg-dense did not reach exact match 1.0 in its budget: choose other sizes or budget" >&2
    return 1
  fi
  run linalg-tokentopk0.5 "${LINALG[@]}" --attention tokentopk:0.5
  run linalg-window2 "${LINALG[@]}" --attention window:2,1
  run linalg-blockmask0.5 "${LINALG[@]}" --attention blockmask:0.5,2
  run linalg-blocktopk0.5 "${LINALG[@]}" --attention blocktopk:0.5,2
  run linalg-gpt "${LINALG[@]}" --arch gpt
  run linalg-mask0.5 "${LINALG[@]}" --feature-mask 0.5
  run linalg-tokentopk0.3 "${LINALG[@]}" --attention tokentopk:0.3
  run linalg-blocktopk0.3 "${LINALG[@]}" --attention blocktopk:0.3,2
}

# The 3x3 product over Z_7 (12 input tokens, a chain of 9 partial sums, 7^12 problems): the same comparison at the
# larger size, named linalg3-*, again gated on the dense model learning it.
linalg3() {
  run linalg3-dense "${LINALG3[@]}" --attention dense
  if ! grep -q '"samples_to_converge" *: *[0-9]' "$RUNS/linalg3-dense.json"; then
    echo "linalg3-dense did not reach exact match 1.0 in its budget" >&2
    return 1
  fi
  run linalg3-tokentopk0.5 "${LINALG3[@]}" --attention tokentopk:0.5
  run linalg3-window2 "${LINALG3[@]}" --attention window:2,1
  run linalg3-blockmask0.5 "${LINALG3[@]}" --attention blockmask:0.5,2
  run linalg3-blocktopk0.5 "${LINALG3[@]}" --attention blocktopk:0.5,2
  run linalg3-gpt "${LINALG3[@]}" --arch gpt
  run linalg3-mask0.5 "${LINALG3[@]}" --feature-mask 0.5
}

# Sparser than half on the sum, where every chain step needs a group of 8 of the 16 inputs: keeping 2 or 1 keys per
# query (counts) in every attention, one encoder layer and the cross attention can reach at most 4 (or 1) inputs per
# step unless earlier chain steps carry the sum; and block top-1 of 2-position tiles.
sparse_sum() {
  run sum-tokentopk2 "${SUM[@]}" --attention tokentopk:2
  run sum-tokentopk1 "${SUM[@]}" --attention tokentopk:1
  run sum-blocktopk1x2 "${SUM[@]}" --attention blocktopk:1,2
  run sum-tokentopk0.5-mask0.5 "${SUM[@]}" --attention tokentopk:0.5 --feature-mask 0.5
}

# Seeds 1 and 2 where a conclusion rests on one run: the sum's dense control and token top-k, the GPT, the static
# patterns that held or failed by a margin (parity's block mask, the sum's window), block top-k on pointer chasing,
# and linear algebra.
seeds2() {
  for s in 1 2; do
    run "sum-dense-seed$s" "${SUM[@]}" --attention dense --seed "$s"
    run "sum-tokentopk0.5-seed$s" "${SUM[@]}" --attention tokentopk:0.5 --seed "$s"
    run "pointer-gpt-seed$s" "${POINTER[@]}" --arch gpt --seed "$s"
    run "parity-blockmask0.5-seed$s" "${PARITY[@]}" --attention blockmask:0.5,2 --seed "$s"
    run "sum-window2-seed$s" "${SUM[@]}" --attention window:2,1 --seed "$s"
    run "pointer-blocktopk0.5-seed$s" "${POINTER[@]}" --attention blocktopk:0.5,2 --seed "$s"
    run "linalg-dense-seed$s" "${LINALG[@]}" --attention dense --seed "$s"
    run "linalg-tokentopk0.5-seed$s" "${LINALG[@]}" --attention tokentopk:0.5 --seed "$s"
  done
}

# The 3x3 product with a budget of 300,000: linalg3-dense had only begun to leave its plateau (at 80,000 samples) when
# its learning rate ran out at 150,000 (0.875 answers).
linalg3_long() {
  run linalg3-dense-300k "${LINALG3L[@]}" --attention dense
  if ! grep -q '"samples_to_converge" *: *[0-9]' "$RUNS/linalg3-dense-300k.json"; then
    echo "linalg3-dense-300k did not reach exact match 1.0 in its budget" >&2
    return 1
  fi
  run linalg3-tokentopk0.5-300k "${LINALG3L[@]}" --attention tokentopk:0.5
  run linalg3-window2-300k "${LINALG3L[@]}" --attention window:2,1
}

# Token against block selection on the sum at about the same number of keys: block top-3 of 8 two-position tiles (6
# keys) learned the sum where token top-5 (tokentopk:0.3) did not; token top-6 keeps as many keys as the blocks, and
# seed 1 of both repeats the contrast.
sum_k() {
  run sum-tokentopk6 "${SUM[@]}" --attention tokentopk:6
  run sum-tokentopk0.3-seed1 "${SUM[@]}" --attention tokentopk:0.3 --seed 1
  run sum-blocktopk0.3-seed1 "${SUM[@]}" --attention blocktopk:0.3,2 --seed 1
}

# What was left after round2's alpha grid, sparser sums and linalg3-dense-300k / tokentopk0.5-300k (round2 was
# stopped there to put the token-against-block contrast first).
round3() {
  sum_k
  normalizers
  gpt
  seeds2
  linalg3_long || true
  run length-tokentopk2 --task pointer --n 16 --hops 4 --symbols 1024 --max-samples 150000 --test-lengths 64,256,1024 \
    --test-size 128 --attention tokentopk:2
}

# The rows of the first session (commit 740a8d6) sit beside runs of this one (41210da, after seed 001's and the tied
# head's changes to the model code): three of the first session's runs repeated at the new commit, to see whether
# the two commits' numbers can share a table.
repro() {
  run repro-parity-dense "${PARITY[@]}" --attention dense
  run repro-pointer-dense "${POINTER[@]}" --attention dense
  run repro-sum-gpt "${SUM[@]}" --arch gpt
}

# round3 from its seeds on, after the reproduction check (round3 was stopped at sum-dense-seed1 to put it first).
round4() {
  repro
  seeds2
  linalg3_long || true
  run length-tokentopk2 --task pointer --n 16 --hops 4 --symbols 1024 --max-samples 150000 --test-lengths 64,256,1024 \
    --test-size 128 --attention tokentopk:2
}

# Seed 1 of the one combination that failed where its parts learned: token top-k 0.3 with M_t 0.7 on pointer chasing,
# and of each part alone.
combo_seeds() {
  run pointer-tokentopk0.3-mask0.7-seed1 "${POINTER[@]}" --attention tokentopk:0.3 --feature-mask 0.7 --seed 1
  run pointer-tokentopk0.3-seed1 "${POINTER[@]}" --attention tokentopk:0.3 --seed 1
  run pointer-mask0.7-seed1 "${POINTER[@]}" --feature-mask 0.7 --seed 1
}

# length-tokentopk2 (2 keys per query in training) did not learn even the 16-cell tables in 150,000 samples; half
# the keys instead, tested at the same lengths.
length_half() {
  run length-tokentopk0.5 --task pointer --n 16 --hops 4 --symbols 1024 --max-samples 150000 --test-lengths 64,256,1024 \
    --test-size 128 --attention tokentopk:0.5
}

# This session's order (after linalg; linalg3 ran first and stopped at its gate): the alpha grid, sparser sums,
# linear algebra at 3x3 with twice the budget, the normalisers and the GPT on parity, seeds, then a model trained
# sparse at the length runs' sizes.
round2() {
  alpha
  sparse_sum
  linalg3_long || true
  normalizers
  gpt
  seeds2
  run length-tokentopk2 --task pointer --n 16 --hops 4 --symbols 1024 --max-samples 150000 --test-lengths 64,256,1024 \
    --test-size 128 --attention tokentopk:2
}

case "${1:-all}" in
  core) core ;; more) more ;; linalg) linalg ;; linalg3) linalg3 ;; sparse_sum) sparse_sum ;; seeds2) seeds2 ;; linalg3_long) linalg3_long ;; round2) round2 ;; sum_k) sum_k ;; round3) round3 ;; repro) repro ;; round4) round4 ;; combo_seeds) combo_seeds ;; length_half) length_half ;; length) length ;; alpha) alpha ;; static) static ;; gpt) gpt ;; normalizers) normalizers ;; seeds) seeds ;;
  all) length; alpha; static; gpt; normalizers; seeds ;;
  *) echo "usage: $0 [core|more|linalg|linalg3|linalg3_long|sparse_sum|seeds2|round2|sum_k|round3|repro|round4|combo_seeds|length_half|length|alpha|static|gpt|normalizers|seeds|all]" >&2; exit 2 ;;
esac
