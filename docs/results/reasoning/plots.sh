#!/usr/bin/env bash
# The figures of docs/results/reasoning/README.md, drawn from runs/*.json with `./attn4j reason-plot`.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
JAR="${JAR:-$ROOT/java/cli/target/attn4j-cli.jar}"
[ -f "$JAR" ] || "$ROOT/attn4j" --version > /dev/null
cd "$HERE"
# plot FLAGS... --png FILE RUNS...: one figure; skipped (with a line) when no run file exists yet
plot() {
  local last="${*: -1}"
  case "$last" in
    *.json) java -jar "$JAR" reason-plot "$@" ;;
    *) echo "skipped (no runs yet): $*" ;;
  esac
}
# the given files that exist (a pattern that matches nothing is dropped)
existing() { for f in "$@"; do [ -f "$f" ] && echo "$f"; done; }
TRAINED="decode_attention=as trained"

# Length scaling: the dense model reasoning through each decode-time attention; the models trained sparse.
plot --kind lines --x input_length --y accuracy,attended_fraction,cpu_ms_per_problem --series decode_attention \
  --log-x --title "pointer, trained dense on 16 cells" --png length-dense.png runs/length-dense.json
# Models trained sparse at the length runs' sizes, with the dense one (drawn once one of them exists).
mapfile -t files < <(existing runs/length-*.json)
if [ "${#files[@]}" -gt 1 ]; then
  plot --kind lines --x input_length --y accuracy,attended_fraction,cpu_ms_per_problem --series attention \
    --where "$TRAINED" --log-x --title "pointer, trained and tested with" --png length-trained.png "${files[@]}"
fi

# alpha ablation, per task.
for task in pointer sum linalg; do
  mapfile -t files < <(existing runs/$task-dense.json runs/$task-tokentopk0.?.json runs/$task-blocktopk0.?.json \
    runs/$task-mask0.?.json runs/$task-tokentopk0.?-mask0.?.json)
  plot --kind lines --x alpha --y accuracy,attended_fraction,cpu_ms_per_problem --series variant \
    --where "$TRAINED" --title "$task" --png "alpha-$task.png" "${files[@]}"
done

# Static against dynamic sparsity, every task (linalg: the 2x2 runs; the 3x3 ones share the task name, so only the tables show them).
static=()
for task in pointer parity sum linalg; do
  for p in dense window2 blockmask0.5 tokentopk0.5 blocktopk0.5; do static+=("runs/$task-$p.json"); done
done
mapfile -t static < <(existing "${static[@]}")
plot --kind bars --x task --y accuracy,attended_fraction,samples_seen --series sparsity --where "$TRAINED" \
  --title "static vs dynamic" --png static-dynamic.png "${static[@]}"

# Encoder-decoder against the decoder-only GPT with as many parameters.
mapfile -t files < <(existing runs/{pointer,parity,sum,linalg}-dense.json runs/*-gpt.json)
plot --kind bars --x task --y accuracy,samples_seen,cpu_ms_per_problem --series arch --where "$TRAINED" \
  --title "encdec vs gpt (dense)" --png encdec-gpt.png "${files[@]}"

# The sum with fewer keys per query than a chain step's group of 8 inputs (counts), next to dense and the fractions.
mapfile -t files < <(existing runs/sum-dense.json runs/sum-tokentopk0.5.json runs/sum-tokentopk0.3.json \
  runs/sum-tokentopk6.json runs/sum-tokentopk2.json runs/sum-tokentopk1.json runs/sum-blocktopk0.3.json runs/sum-blocktopk1x2.json)
plot --kind bars --x task --y accuracy,attended_fraction,samples_seen --series attention --where "$TRAINED" \
  --title "sum: sparser attention" --png sparse-sum.png "${files[@]}"

# Output layer and attention normaliser.
# (pointer chasing; the sparsemax output's run with the budget of 150,000, the one that converged)
mapfile -t files < <(existing runs/pointer-dense.json runs/pointer-out-sparsemax-150k.json runs/pointer-attn-*.json)
plot --kind bars --x task --y accuracy,samples_seen,output_support --series output,normalizer --where "$TRAINED" \
  --title "output, attention" --png normalizers.png "${files[@]}"
