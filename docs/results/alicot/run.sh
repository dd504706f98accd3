#!/usr/bin/env bash
# The recorded alicot experiments (docs/results/alicot/README.md): every run writes runs/<name>.json; a run whose JSON
# exists is skipped, so the script resumes. Runs one at a time, niced, on a copy of the CLI jar (so that rebuilding
# the project meanwhile does not change the code under a run). Usage: docs/results/alicot/run.sh [phase...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
jar="${ALICOT_JAR:-$root/java/cli/target/attn4j-cli.jar}"
runs="$here/runs"
mkdir -p "$runs"
common=(--inputs 8 --fan-in 2 --max-samples 100000 --threads 2)

run() { # name, then the alicot flags
  local name="$1"; shift
  if [[ -f "$runs/$name.json" ]]; then echo "skip $name"; return; fi
  echo "=== $name: $* ($(date -u +%H:%M:%S))"
  nice -n 10 java -jar "$jar" alicot "${common[@]}" "$@" --json "$runs/$name.json" 2>&1 | tail -n 3
}

latent_modes() { # seed, depth
  local s="$1" d="$2"
  run "d$d-none-s$s" --depth "$d" --mode none --seed "$s"
  run "d$d-explicit-s$s" --depth "$d" --mode explicit --seed "$s"
  for r in 1 2 4; do
    run "d$d-aligned-r$r-s$s" --depth "$d" --mode aligned --ratio "$r" --seed "$s"
  done
}

for p in "${@:-main}"; do
  case "$p" in
    main)   # seed 0, the most telling depth first: every condition; the unaligned latents with one thought per
            # two chain steps (as many as aligned r=2)
            for d in 4 2 6; do
              latent_modes 0 "$d"
              run "d$d-latent-r2-s0" --depth "$d" --mode latent --ratio 2 --seed 0
            done
            for d in 1 3; do
              run "d$d-none-s0" --depth "$d" --mode none --seed 0
              run "d$d-explicit-s0" --depth "$d" --mode explicit --seed 0
            done ;;
    seed1)  for d in 4 2 6; do latent_modes 1 "$d"; done
            run "d4-latent-r2-s1" --depth 4 --mode latent --ratio 2 --seed 1 ;;
    latent-m) # the unaligned latents with as many thoughts as aligned r=1 and r=4 use
            run "d4-latent-r1-s0" --depth 4 --mode latent --ratio 1 --seed 0
            run "d4-latent-r4-s0" --depth 4 --mode latent --ratio 4 --seed 0 ;;
    *) echo "unknown phase $p" >&2; exit 2 ;;
  esac
done
