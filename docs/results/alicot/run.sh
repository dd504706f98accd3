#!/usr/bin/env bash
# The recorded alicot experiments (docs/results/alicot/README.md): every run writes runs/<name>.json; a run whose JSON
# exists is skipped, so the script resumes. Runs one at a time, niced, on a copy of the CLI jar (so that rebuilding
# the project meanwhile does not change the code under a run). Usage: docs/results/alicot/run.sh [phase...]
# Phases, in the order they were run: main (seed 0), seed1 (a second task and initialisation at depth 4), extra (runs
# the recorded set does not have yet: see the README's "Not run").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
jar="${ALICOT_JAR:-$root/java/cli/target/attn4j-cli.jar}"
runs="$here/runs"
mkdir -p "$runs"
copy="$(mktemp -d)/attn4j-cli.jar"
cp "$jar" "$copy"
common=(--inputs 8 --fan-in 2 --max-samples 100000 --threads 2)

run() { # name, then the alicot flags
  local name="$1"; shift
  if [[ -f "$runs/$name.json" ]]; then echo "skip $name"; return; fi
  echo "=== $name: $* ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))"
  nice -n 19 java -jar "$copy" alicot "${common[@]}" "$@" --json "$runs/$name.json" 2>&1 | tail -n 3
}

conditions() { # seed, depth, then the conditions: none explicit latent aligned1 aligned2 aligned4
  local s="$1" d="$2"; shift 2
  for c in "$@"; do
    case "$c" in
      none|explicit) run "d$d-$c-s$s" --depth "$d" --mode "$c" --seed "$s" ;;
      latent)        run "d$d-latent-r2-s$s" --depth "$d" --mode latent --ratio 2 --seed "$s" ;;  # m as aligned r=2
      aligned*)      local r="${c#aligned}"
                     run "d$d-aligned-r$r-s$s" --depth "$d" --mode aligned --ratio "$r" --seed "$s" ;;
    esac
  done
}

for p in "${@:-main}"; do
  case "$p" in
    main)  conditions 0 4 none explicit aligned1 aligned2 aligned4 latent
           conditions 0 2 none explicit aligned1 aligned2 aligned4 latent
           conditions 0 6 explicit aligned4 aligned2
           conditions 0 1 none explicit
           conditions 0 3 none explicit
           conditions 0 6 latent none ;;
    seed1) conditions 1 4 explicit aligned2 aligned4 ;;
    extra) conditions 0 6 aligned1
           conditions 1 4 aligned1 none latent
           conditions 0 1 latent aligned1
           conditions 0 3 latent aligned1 aligned2 aligned4 ;;
    *) echo "unknown phase $p" >&2; exit 2 ;;
  esac
done
