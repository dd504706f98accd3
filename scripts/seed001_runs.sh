#!/usr/bin/env bash
# Issue 14 (seed 001, Wen et al.): the runs behind docs/results/model-layer/README.md section 9, and the ones that
# did not fit on the 2-core machine. One group per call; each run writes OUT/NAME.json (parity --json) and its log.
#
#   scripts/seed001_runs.sh local     OUT   the runs recorded in section 9, in the order they ran
#   scripts/seed001_runs.sh local-c   OUT   the second session's runs in section 9 (Figures 4, 3a, 5), in their order
#   scripts/seed001_runs.sh local-d   OUT   seed 1 of Figure 3a at k = 30, 50, 70, 100 (the rows marked ³)
#   scripts/seed001_runs.sh local-e   OUT   the fourth sitting's runs (the rows marked ⁴), in their order
#   scripts/seed001_runs.sh local-f   OUT   Figure 5's 4x4 model on 5*10^4 and 5*10^3 sequences, then Figure 3a's
#                                           seed 2 at k = 30, 50, 70 and seed 1 at k = 90 (the rows marked ⁵)
#   scripts/seed001_runs.sh local-g   OUT   the sixth sitting's runs (the rows marked ⁶): Figure 3a k = 90 seeds 2
#                                           and 0 (300 000), then k = 100 seed 2 with a 600 000-sample budget
#   scripts/seed001_runs.sh local-h   OUT   Figure 2 without CoT: the 16 cells of k = 1 (3 heads at width 48), then
#                                           k = 2's 1x1 cell (the rows marked ⁷)
#   scripts/seed001_runs.sh local-i   OUT   Figure 4 without CoT: the 1x1 model for 1 000 epochs of 10^4 samples
#   scripts/seed001_runs.sh local-j   OUT   the same run at the paper's learning rate 1e-4 (row ⁹)
#   scripts/seed001_runs.sh local-k   OUT   row ⁹'s run with 4 heads in its one layer (row ¹⁰)
#   scripts/seed001_runs.sh local-l   OUT   Figure 2 without CoT, k = 2's 1x1 cell to its whole 10^7 budget (row ¹¹)
#   scripts/seed001_runs.sh local-m   OUT   row ¹⁰'s run in Definition 1's layout, with the end-of-input token (row ¹²)
#   scripts/seed001_runs.sh local-n   OUT   Figure 5's sets of 5*10^5 and 10^6 sequences, one pass, 1x1 and 4x4 models
#   scripts/seed001_runs.sh local-o   OUT   Figure 4 without CoT, 1 layer x 2 heads, 1 000 epochs at lr 1e-4
#   scripts/seed001_runs.sh local-p   OUT   Figure 10's sets of 10^4 and 10^5 sequences for the 1x1 model (5*10^5 samples)
#   scripts/seed001_runs.sh local-q   OUT   the same two sets for Figure 5's 4x4 model
#   scripts/seed001_runs.sh local-r   OUT   Figure 10's 2 layers x 3 heads (width 48), then the reference code's 1 x 2,
#                                           on its five set sizes
#   scripts/seed001_runs.sh fig4-grid OUT   Figure 4 without CoT, the grid's cells beyond one layer (and 1 x 3), 1 000
#                                           epochs at lr 1e-4 as rows 9, 10 and 16, in order of cost
#   scripts/seed001_runs.sh fig3a     OUT   Figure 3a, the project's model: n = 100, k = 20..100, seeds 0..2
#   scripts/seed001_runs.sh fig3a-paper-opt OUT   Figure 3a, the small model (dim 64) with the paper's optimiser
#   scripts/seed001_runs.sh fig1-long OUT   Figure 1's no-CoT points with 10^7 samples (k = 2, 3; seeds 0, 1)
#   scripts/seed001_runs.sh fig2      OUT   Figure 2: layers x heads 1..4 x 1..4, k = 1..4, with and without CoT
#   scripts/seed001_runs.sh fig4-5    OUT   Figures 4 and 5: fixed training sets, many epochs, no CoT
#   scripts/seed001_runs.sh gpu       OUT   the paper's model (hidden 720) for Figure 3a, PyTorch on a GPU
#
# Environment: JAR (default java/cli/target/attn4j-cli.jar, built by ./attn4j on first use), THREADS (default 1),
# NICE (default 19), SEEDS (default per group), PYTHON (default python3, for the gpu group).
# What each group needs (measured on the 2-core machine, 1 thread, load 10-20, unless marked as an estimate):
#   local      ~85 min of wall time at load 12-20 (~20 min of CPU): n = 100 runs at 75 (k = 20) to 25 (k = 80)
#              samples/s, n = 20 runs at 200-700/s.
#   local-c    ~2 h of wall time at load 1-4 with pauses (Figure 4's no-CoT run 37 min, 1 400 samples/s; n = 100
#              runs at 80-200 samples/s: 2-10 min each, k = 90 seed 0 more than 17 min on its plateau; n = 20 runs of
#              5*10^5 samples 4-6 min; Figure 2 cells 17-55 s).
#   local-e    ~85 min of wall time at load 1.2-8 with pauses: Figure 3a seed 2 at 70-190 s per run for k = 20..80,
#              k = 100 an hour (300 000 samples on a plateau, 2 440 s of CPU); Figure 2 cells 12-110 s each (48 cells, 33 min).
#   local-g    ~82 min of wall time at load 1.5-7.5 with pauses (~49 min of CPU): k = 90 seed 2 316 s (209 s of CPU),
#              k = 90 seed 0 to its 300 000 on a plateau 3 992 s (2 144 s of CPU; stopped ~28 min), k = 100 seed 2 with
#              600 000 converged at 69 632 in 591 s (587 s of CPU).
#   local-h    k = 1: 16 cells of 15-138 s wall (10-41 s of CPU) beside a CI build; k = 2's 1x1 cell ~1 200 samples/s,
#              so its 10^7-sample budget is ~2 h of CPU (the seventh sitting stopped it at 2 580 480 samples, 1 859 s of CPU).
#   local-r    58 min of wall time beside two fig3a-paper-opt runs (three runs on the two cores, load 4-5): the 2x3 runs
#              6-7 min each (13 min for the 10^6 set; 1 380-1 580 samples/s), the 1x2 runs 3-4 min (6 min; 2 380-2 910/s).
#   fig4-grid  13 runs of up to 10^7 samples: 1x3 57 min of wall time beside two other runs (41 min of CPU, 3 150 samples/s);
#              2x1 69 min beside one other run (66 min of CPU, 2 577 samples/s). A cell stops when it reaches exact match
#              1.0: 2x2, 2x4, 4x2, 2x3, 4x4, 3x4, 3x3 and 4x3 did, after 66-361 epochs, in 6-60 min of wall time two or
#              three runs at a time (858-2 513 samples/s); one that does not, as 2x1, runs all 10^7 samples: 3x2 ran at
#              1 267/s beside other runs (stopped at epoch 720), so 2-4 h each. Run one cell: placeholder JSON files for
#              the others in OUT; a rerun repeats a run's evaluations exactly.
#   fig3a      15 runs; k = 100 alone is 55-82 k samples at ~20 samples/s: 1 h each. About 10 h on one core.
#   local-n    ~45 min of wall time beside two other runs (load 3-7): the 1x1 runs 3-5 min, the 4x4 ones 12 and 25 min.
#   fig3a-paper-opt  15 runs of up to 10^6 samples at batch 512 with an evaluation every 2 048 samples (bf16
#              emulation costs ~1.3x fp32): k = 20 seed 0 ran 180-380 samples/s on a shared core (jar of c4efed8), so
#              a run that does not reach 0.995 takes ~1-1.5 h; the whole group ~15-20 h on one core. With the
#              attention-dropout and bf16 kernels of 6a9d753 (same bits), in training, two to three runs on the two
#              cores: k = 20 430-440 samples/s (seeds 1, 2 stopped at 0.995: 19-24 min), k = 40 325/s and k = 60
#              266/s (10^6 samples: 79 and 93 min of wall time, 50 and 63 min of CPU); k = 80 193/s and k = 100 178/s
#              beside one or two other runs (130 and 142 min of wall time, 76 and 88 min of CPU); k = 40 seeds 1 and
#              2 495/s and 410/s beside one other run (51 and 60 min of wall time, 50 and 47 min of CPU); k = 60 seed
#              1 396/s and k = 30 seeds 0 and 2 (not in the list; 10^6 samples) 562-571/s beside one other run (63,
#              43 and 45 min of wall time). k = 60 seed 2 386/s and k = 80 seed 1 324/s side by side (65 and 77 min
#              of wall time, 63 and 75 min of CPU), k = 80 seed 2 327/s and k = 100 seed 1 284/s side by side (77
#              and 89 min of wall time, 75 and 89 min of CPU), k = 100 seed 2 287/s beside a fig2 no-CoT run (89 min
#              of wall time, 87 min of CPU). A run is deterministic, and its learning rate decays over
#              --lr-decay-samples, so a longer budget repeats a shorter one's evaluations but the one at its cut.
#              Resume one cell: SEEDS=S with placeholder JSON files for the group's other cells in OUT.
#   fig1-long  4 runs of 10^7 samples at n = 20 without CoT: 3 300-5 300 samples/s on one core with the Vector API
#              kernels (k = 2 seed 0: 3 038 s beside two other runs), so ~35-55 min per run that does not converge.
#   fig2       64 CoT runs (minutes each) and 64 no-CoT runs of up to 10^7 samples (hours each): days on 2 cores.
#              k = 2 without CoT, 1 layer x 2 heads: 2 237 samples/s beside one other run, 76 min for 10^7 samples.
#              2 x 2 and 4 x 4 side by side: 1 520 and 630 samples/s, so ~1.8 h and ~4.4 h for 10^7 samples
#              (2 x 2 ran whole in 6 817 s of wall time, 1 489 samples/s, beside one other run). 1 x 4 and 2 x 1
#              side by side: 2 540 and 1 663 samples/s (67 and 102 min); 1 x 3 at --dim 48 3 011/s (56 min,
#              beside 2 x 1 for its first 35 min, then alone). 2 x 3 at --dim 48 1 452/s (116 min) beside k = 3's
#              1 x 1 (3 247/s, 52 min) and then k = 3's 1 x 3 at --dim 48 (2 926/s, 58 min). k = 3's 1 x 2 and
#              1 x 4 side by side: 3 153 and 2 905/s (54 and 58 min), then k = 4's 1 x 1 (3 394/s, 50 min) beside
#              its 1 x 3 at --dim 48 (3 104/s, 55 min).
#   fig4-5     up to 1000 epochs of 10^4 samples (10^7 samples): hours per run.
#   gpu        PyTorch with CUDA; 1 layer, hidden 720, n = 100: about 7.5 GFLOP per sample (forward and backward),
#              so 10^6 samples are ~7.5 PFLOP, estimated 5-10 min per run on one H200 with the held-out evaluation
#              (an estimate from the FLOP count, not measured); 27 runs (9 k x 3 lr) per seed: 2-5 h.
set -euo pipefail

groups="local|local-c|local-d|local-e|local-f|local-g|local-h|local-i|local-j|local-k|local-l|local-m|local-n|local-o|local-p|local-q|local-r|fig4-grid|fig3a|fig3a-paper-opt|fig1-long|fig2|fig4-5|gpu"
group=${1:?usage: scripts/seed001_runs.sh $groups OUT}
out=${2:?usage: scripts/seed001_runs.sh GROUP OUT}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar=${JAR:-$root/java/cli/target/attn4j-cli.jar}
threads=${THREADS:-1}
nice_level=${NICE:-19}
mkdir -p "$out"

run() { # NAME ARGS...: one parity run, skipped when its JSON exists (so a group can be resumed)
  local name=$1
  shift
  if [ -s "$out/$name.json" ]; then
    echo "skip $name (done)"
    return
  fi
  if [ ! -f "$jar" ]; then
    "$root/attn4j" info > /dev/null # builds the jar
  fi
  echo "$(date -u +%FT%TZ) start $name load $(cut -d' ' -f1-3 /proc/loadavg): $*" | tee -a "$out/runs.log"
  # /usr/bin/time (where there is one) writes OUT/NAME.time: wall, user and sys seconds; java's own command line stays
  # `java ... -jar JAR parity ...` (nice execs it).
  local timer=()
  if [ -x /usr/bin/time ]; then
    timer=(/usr/bin/time -f '%e s wall, %U s user, %S s sys' -o "$out/$name.time")
  fi
  # --add-modules: the Vector API kernels of the model layer and of the attention (the 1x4 model of local-k, 8 epochs,
  # paired: 1.5-2.1x the samples per second of the jar of 7e0513f; the model layer's products and GELU give the same
  # bits as its plain-Java kernels). Its one-line warning opens the log.
  ${timer[@]+"${timer[@]}"} nice -n "$nice_level" java --add-modules jdk.incubator.vector -jar "$jar" parity "$@" \
    --threads "$threads" --json "$out/$name.json" > "$out/$name.out" 2> "$out/$name.log"
  echo "$(date -u +%FT%TZ) end $name load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/runs.log"
}

case "$group" in
  local)
    run fig9-n20-k12-cot-seed0 --n 20 --k 12 --cot --seed 0
    run fig8-n20-k6-cot-L2H2-seed0 --n 20 --k 6 --cot --layers 2 --heads 2 --seed 0 \
      --heatmap "$out/fig8-n20-k6-cot-L2H2-seed0.png"
    run fig3a-n100-k20-seed0 --n 100 --k 20 --cot --seed 0 --eval-every 4096 --max-samples 300000
    run fig9-n20-k12-nocot-seed0 --n 20 --k 12 --seed 0 --max-samples 100000 --eval-every 8192
    run fig3a-n100-k40-seed0 --n 100 --k 40 --cot --seed 0 --eval-every 4096 --max-samples 300000
    run fig8-n40-k20-cot-L2H2-seed0 --n 40 --k 20 --cot --layers 2 --heads 2 --seed 0 \
      --heatmap "$out/fig8-n40-k20-cot-L2H2-seed0.png"
    run fig3a-n100-k60-seed0 --n 100 --k 60 --cot --seed 0 --eval-every 4096 --max-samples 300000
    for lh in 1:1 1:2 2:1 2:2 4:4; do
      run "fig2-n30-k3-cot-L${lh%%:*}H${lh##*:}-seed0" --n 30 --k 3 --cot --layers "${lh%%:*}" --heads "${lh##*:}" \
        --seed 0
    done
    run fig3a-n100-k20-seed1 --n 100 --k 20 --cot --seed 1 --eval-every 4096 --max-samples 300000
    run fig3a-n100-k80-seed0 --n 100 --k 80 --cot --seed 0 --eval-every 4096 --max-samples 300000
    run fig3a-n100-k40-seed1 --n 100 --k 40 --cot --seed 1 --eval-every 4096 --max-samples 300000
    ;;
  local-c)
    # Figure 4 on the fixed 10^4 set (no CoT: 300 epochs, what fitted in ~40 min), Figure 3a's remaining k and
    # seeds (k = 90 seed 0 was killed twice on a plateau, at 28 672 and 143 360 samples: no JSON), Figure 5 (Figure
    # 10's 1x1 arm) with the same 5·10^5-sample budget on both training sets.
    run fig4-n20-k6-cot-T10000-seed0 --n 20 --k 6 --cot --train-size 10000 --epochs 5 --seed 0
    run fig4-n20-k6-nocot-T10000-E300-seed0 --n 20 --k 6 --train-size 10000 --epochs 300 --eval-every 10000 --seed 0
    for ks in 100:0 60:1 80:1 30:0 50:0 70:0 90:0; do
      run "fig3a-n100-k${ks%%:*}-seed${ks##*:}" --n 100 --k "${ks%%:*}" --cot --seed "${ks##*:}" --eval-every 4096 \
        --max-samples 300000
    done
    run fig5-n20-k6-nocot-T5000-seed0 --n 20 --k 6 --train-size 5000 --epochs 100 --eval-every 5000 --seed 0 --no-stop
    run fig5-n20-k6-nocot-T50000-seed0 --n 20 --k 6 --train-size 50000 --epochs 10 --eval-every 50000 --seed 0 --no-stop
    # Figure 2 with CoT at k = 3: the cells the first session did not run (3 heads do not divide the width 64).
    for lh in 1:4 2:4 3:1 3:2 3:4 4:1 4:2; do
      run "fig2-n30-k3-cot-L${lh%%:*}H${lh##*:}-seed0" --n 30 --k 3 --cot --layers "${lh%%:*}" --heads "${lh##*:}" \
        --seed 0
    done
    ;;
  local-d)
    # Seed 1 of Figure 3a's k = 30, 50, 70 and 100 (third sitting: two at a time, one per core; THREADS=1).
    for k in 30 50 70 100; do
      run "fig3a-n100-k$k-seed1" --n 100 --k "$k" --cot --seed 1 --eval-every 4096 --max-samples 300000
    done
    ;;
  local-e)
    # Fourth sitting (jar built from main at 24a59a4, one run at a time): seed 2 of Figure 3a at k = 20..100 by 20
    # (k = 100 ran to its 300 000-sample budget on a one-row plateau without converging: its JSON says so), then
    # Figure 2 with CoT at k = 1, 2 and 4, the 12 cells of layers 1..4 x heads 1, 2, 4 each (3 heads do not divide
    # the width 64), then the 3-head cells of k = 1..4 at width 48 (--dim 48, MLP 192: a narrower model).
    for k in 20 40 60 80 100; do
      run "fig3a-n100-k$k-seed2" --n 100 --k "$k" --cot --seed 2 --eval-every 4096 --max-samples 300000
    done
    for k in 1 2 4; do
      for layers in 1 2 3 4; do
        for heads in 1 2 4; do
          run "fig2-n30-k$k-cot-L${layers}H${heads}-seed0" --n 30 --k "$k" --cot --layers "$layers" --heads "$heads" \
            --seed 0
        done
      done
    done
    for k in 1 2 3 4; do
      for layers in 1 2 3 4; do
        run "fig2-n30-k$k-cot-L${layers}H3-dim48-seed0" --n 30 --k "$k" --cot --layers "$layers" --heads 3 --dim 48 --seed 0
      done
    done
    ;;
  local-f)
    # Figure 5's model, 4 layers x 4 heads, without CoT on fixed sets, with the 1x1 rows' budget of 5*10^5 samples
    # (about 20 min each at 400 samples/s on one core).
    run fig5-n20-k6-nocot-T50000-L4H4-seed0 --n 20 --k 6 --layers 4 --heads 4 --train-size 50000 --epochs 10 \
      --eval-every 10000 --seed 0 --no-stop
    run fig5-n20-k6-nocot-T5000-L4H4-seed0 --n 20 --k 6 --layers 4 --heads 4 --train-size 5000 --epochs 100 \
      --eval-every 5000 --seed 0 --no-stop
    # Then Figure 3a's missing seeds that fitted (they ran two at a time, one per core).
    for ks in 30:2 50:2 70:2 90:1; do
      run "fig3a-n100-k${ks%%:*}-seed${ks##*:}" --n 100 --k "${ks%%:*}" --cot --seed "${ks##*:}" --eval-every 4096 \
        --max-samples 300000
    done
    ;;
  local-g)
    # Sixth sitting (jar built from main at 0090190, one run at a time): k = 90 seed 2, then k = 90 seed 0 to its full
    # 300 000 (the second session killed it at 143 360 on a plateau), then k = 100 seed 2 with twice the budget (the
    # learning rate decays over --max-samples by default, so this is a new run, not a continuation of the 300 000 one).
    for ks in 90:2 90:0; do
      run "fig3a-n100-k${ks%%:*}-seed${ks##*:}" --n 100 --k "${ks%%:*}" --cot --seed "${ks##*:}" --eval-every 4096 \
        --max-samples 300000
    done
    run fig3a-n100-k100-seed2-600k --n 100 --k 100 --cot --seed 2 --eval-every 4096 --max-samples 600000
    ;;
  local-h)
    # Seventh sitting (jar built from main at 0090190, one run at a time): Figure 2 without CoT at k = 1, every
    # (layers, heads) of 1..4 x 1..4, the 3-head cells at width 48 as in the fourth sitting; evaluation every 4 096
    # samples, so that a cell learned early is not read off the grid's 65 536. Then k = 2's 1x1 cell.
    for layers in 1 2 3 4; do
      for heads in 1 2 3 4; do
        if [ "$heads" = 3 ]; then
          run "fig2-n30-k1-nocot-L${layers}H3-dim48-seed0" --n 30 --k 1 --layers "$layers" --heads 3 --dim 48 \
            --seed 0 --max-samples 10000000 --lr-decay-samples 10000000 --eval-every 4096
        else
          run "fig2-n30-k1-nocot-L${layers}H${heads}-seed0" --n 30 --k 1 --layers "$layers" --heads "$heads" \
            --seed 0 --max-samples 10000000 --lr-decay-samples 10000000 --eval-every 4096
        fi
      done
    done
    run fig2-n30-k2-nocot-L1H1-seed0 --n 30 --k 2 --layers 1 --heads 1 --seed 0 --max-samples 10000000 \
      --lr-decay-samples 10000000 --eval-every 8192
    ;;
  local-i)
    # Eighth sitting (jar built from main at 1b2e63f): Figure 4's 1x1 model without CoT for the paper's whole 1 000
    # epochs of its fixed 10^4 set (the rate decays over the 1 000 epochs; the second sitting's 300-epoch run, whose
    # rate reached 0 at epoch 300, is its own row). Stops at exact match 1.0 if it gets there.
    run fig4-n20-k6-nocot-T10000-1000ep --n 20 --k 6 --train-size 10000 --epochs 1000 --eval-every 10000 --seed 0
    ;;
  local-j)
    # Ninth sitting (the same jar, 1b2e63f): local-i's run with one change, the paper's learning rate 1e-4 in place of
    # our 1e-3 (still batch 64, fp32, decaying to 0 over the 1 000 epochs), so the two rows differ in the rate alone.
    run fig4-n20-k6-nocot-T10000-1000ep-lr1e-4 --n 20 --k 6 --train-size 10000 --epochs 1000 --eval-every 10000 \
      --seed 0 --lr 1e-4
    ;;
  local-k)
    # Tenth sitting (jar built from main at 53f9685, the first with the model layer's Vector API kernels): local-j's
    # run with one change, 4 heads in the one layer (head width 16 of the same 64), the cell of Figure 4's grid the
    # paper's remark points at: more heads help more than more layers. The trained model is kept (--save) so that
    # `attn4j probe` can read what it gets right on held-out inputs.
    run fig4-n20-k6-nocot-T10000-1000ep-lr1e-4-H4 --n 20 --k 6 --train-size 10000 --epochs 1000 --eval-every 10000 \
      --seed 0 --lr 1e-4 --heads 4 --save "$out/fig4-n20-k6-nocot-T10000-1000ep-lr1e-4-H4.model"
    ;;
  local-l)
    # Tenth sitting, beside local-k (the same jar; each process one thread of the two cores): local-h's last run, which the seventh
    # sitting stopped for time at 2 580 480 samples, from the start to its whole 10^7 budget (the command is the same, so
    # is the learning-rate schedule; there is no resuming a parity run).
    run fig2-n30-k2-nocot-L1H1-seed0 --n 30 --k 2 --layers 1 --heads 1 --seed 0 --max-samples 10000000 \
      --lr-decay-samples 10000000 --eval-every 8192
    ;;
  local-m)
    # Tenth sitting, after local-k (jar built from main at c4efed8, which added --end-of-input): local-k's run with one change, the
    # answer predicted from an end-of-input token's row (b, 0, y) instead of the last input bit's (b, y). The probe of
    # local-k's model found it right exactly when that last bit is 1: does one query for the answer row remove the split?
    run fig4-n20-k6-nocot-T10000-1000ep-lr1e-4-H4-eoi --n 20 --k 6 --train-size 10000 --epochs 1000 --eval-every 10000 \
      --seed 0 --lr 1e-4 --heads 4 --end-of-input --save "$out/fig4-n20-k6-nocot-T10000-1000ep-lr1e-4-H4-eoi.model"
    ;;
  local-n)
    # Eleventh sitting (jar built from main at c4efed8; its model classes are main's at 43d247d), beside the groups
    # fig1-long and fig3a-paper-opt: Figure 5's larger training sets, 5*10^5 and 10^6 sequences, one pass each (the
    # smaller sets of local-c and local-f saw 5*10^5 samples; there are no fractional epochs, so the 10^6 set's budget is
    # its one pass), for the 1x1 model and Figure 5's 4x4 one.
    for lh in 1:1 4:4; do
      for t in 500000 1000000; do
        run "fig5-n20-k6-nocot-T$t-L${lh%%:*}H${lh##*:}-seed0" --n 20 --k 6 --layers "${lh%%:*}" --heads "${lh##*:}" \
          --train-size "$t" --epochs 1 --eval-every 10000 --seed 0 --no-stop
      done
    done
    ;;
  local-o)
    # Eleventh sitting, after fig1-long's k = 2 seed 1 (the same jar): Figure 4's 1 layer x 2 heads at the paper's rate,
    # the grid's next cell after local-j's one head and local-k's four; kept for `attn4j probe`.
    run fig4-n20-k6-nocot-T10000-1000ep-lr1e-4-H2 --n 20 --k 6 --train-size 10000 --epochs 1000 --eval-every 10000 \
      --seed 0 --lr 1e-4 --heads 2 --save "$out/fig4-n20-k6-nocot-T10000-1000ep-lr1e-4-H2.model"
    ;;
  local-p)
    # Twelfth sitting (jar of 6a9d753), beside a CI build: Figure 10's two set sizes between those of local-c (5*10^3,
    # 5*10^4) and local-n (5*10^5, 10^6), for the 1x1 model, with local-c's budget of 5*10^5 samples (50 and 5 epochs).
    for t in 10000 100000; do
      run "fig10-n20-k6-nocot-T$t-L1H1-seed0" --n 20 --k 6 --train-size "$t" --epochs $(( 500000 / t )) \
        --eval-every 10000 --seed 0 --no-stop
    done
    ;;
  local-q)
    # Twelfth sitting, after local-p (the same jar): local-p's two sets for Figure 5's 4 layers x 4 heads (as local-f
    # and local-n ran it on the other sizes), the two runs side by side, one per core.
    for t in 10000 100000; do
      run "fig10-n20-k6-nocot-T$t-L4H4-seed0" --n 20 --k 6 --layers 4 --heads 4 --train-size "$t" \
        --epochs $(( 500000 / t )) --eval-every 10000 --seed 0 --no-stop
    done
    ;;
  local-r)
    # Thirteenth sitting (jar of 6a9d753), beside two fig3a-paper-opt runs: Figure 10's 2-layer 3-head model, which the
    # earlier sittings left out, on the paper's five set sizes with the budgets the 1x1 and 4x4 models had (5*10^5
    # samples, one pass of the 10^6 set). Width 48 as in the other 3-head cells (3 does not divide 64); its head width
    # 16 is the 4x4 model's.
    # Then the reference code's fig10.py model, 1 layer x 2 heads, where the paper's text says 1 x 1 (rows 2, 13, 17
    # ran the text's), on the same five sets.
    for model in L2H3-dim48 L1H2; do
      case "$model" in
        L2H3-dim48) shape=(--layers 2 --heads 3 --dim 48) ;;
        L1H2) shape=(--layers 1 --heads 2) ;;
      esac
      for t in 5000 10000 50000 100000 1000000; do
        run "fig10-n20-k6-nocot-T$t-$model-seed0" --n 20 --k 6 "${shape[@]}" --train-size "$t" \
          --epochs $(( t < 500000 ? 500000 / t : 1 )) --eval-every 10000 --seed 0 --no-stop
      done
    done
    ;;
  fig4-grid)
    # Figure 4's cells that the 1-layer rows (local-j, local-k, local-o) leave: 1 x 3 and layers 2..4 x heads 1..4,
    # each as those rows ran (10^4 sequences, 1 000 epochs, lr 1e-4, batch 64), kept for `attn4j probe`. The 3-head
    # cells at width 48 as in Figure 2 (3 does not divide 64).
    for layers in 1 2 3 4; do
      for heads in 1 2 3 4; do
        [ "$layers" = 1 ] && [ "$heads" != 3 ] && continue
        name="fig4-n20-k6-nocot-T10000-1000ep-lr1e-4-L${layers}H${heads}"
        width=()
        if [ "$heads" = 3 ]; then
          name="$name-dim48"
          width=(--dim 48)
        fi
        run "$name" --n 20 --k 6 --train-size 10000 --epochs 1000 --eval-every 10000 --seed 0 --lr 1e-4 \
          --layers "$layers" --heads "$heads" ${width[@]+"${width[@]}"} --save "$out/$name.model"
      done
    done
    ;;
  fig3a)
    for seed in ${SEEDS:-0 1 2}; do
      for k in 20 40 60 80 100; do
        run "fig3a-n100-k$k-seed$seed" --n 100 --k "$k" --cot --seed "$seed" --eval-every 4096 --max-samples 300000
      done
    done
    ;;
  fig3a-paper-opt)
    # The paper's optimiser and data settings on the project's width; the reference code's Figure 3a runs decay the
    # learning rate over their 10^6 samples and count the first evaluation at exact match >= 0.995.
    for seed in ${SEEDS:-0 1 2}; do
      for k in 20 40 60 80 100; do
        run "fig3a-paperopt-n100-k$k-seed$seed" --paper --dim 64 --mlp 256 --n 100 --k "$k" --cot --seed "$seed" \
          --lr-decay-samples 1000000 --max-samples 1000000 --threshold 0.995
      done
    done
    ;;
  fig1-long)
    for seed in ${SEEDS:-0 1}; do
      for k in 2 3; do
        run "fig1-n20-k$k-nocot-seed$seed-10M" --n 20 --k "$k" --seed "$seed" --max-samples 10000000 \
          --lr-decay-samples 10000000 --eval-every 65536 --save "$out/fig1-n20-k$k-nocot-seed$seed-10M.model"
      done
    done
    ;;
  fig2)
    for k in 1 2 3 4; do
      for layers in 1 2 3 4; do
        for heads in 1 2 3 4; do
          run "fig2-n30-k$k-cot-L${layers}H${heads}-seed0" --n 30 --k "$k" --cot --layers "$layers" --heads "$heads" \
            --seed 0 --max-samples 10000000 --lr-decay-samples 10000000
          run "fig2-n30-k$k-nocot-L${layers}H${heads}-seed0" --n 30 --k "$k" --layers "$layers" --heads "$heads" \
            --seed 0 --max-samples 10000000 --lr-decay-samples 10000000 --eval-every 65536
        done
      done
    done
    ;;
  fig4-5)
    run fig4-n20-k6-cot-T10000 --n 20 --k 6 --cot --train-size 10000 --epochs 5 --seed 0
    run fig4-n20-k6-nocot-T10000 --n 20 --k 6 --train-size 10000 --epochs 1000 --eval-every 10000 --seed 0
    for t in 5000 50000 500000 1000000; do
      run "fig5-n20-k6-nocot-T$t" --n 20 --k 6 --train-size "$t" --epochs $(( (10000000 + t - 1) / t )) \
        --eval-every "$(( t < 50000 ? t : 50000 ))" --seed 0 --no-stop
    done
    ;;
  gpu)
    # Figure 3a as the reference code runs it: 10^6 fresh samples, lr decaying over them, the best of three rates,
    # the first evaluation at exact match >= 0.995. Runs in PyTorch (scripts/paper_arm_gpu.py), not in attn4j.
    python=${PYTHON:-python3}
    for seed in ${SEEDS:-0}; do
      for k in 20 30 40 50 60 70 80 90 100; do
        for lr in 6e-5 8e-5 1e-4; do
          name="paper-n100-k$k-lr$lr-seed$seed"
          [ -s "$out/$name.json" ] && { echo "skip $name (done)"; continue; }
          "$python" "$root/scripts/paper_arm_gpu.py" --n 100 --k "$k" --lr "$lr" --seed "$seed" --budget 1000000 \
            --decay-samples 1000000 --threshold 0.995 --out "$out/$name.json" > "$out/$name.log" 2>&1
        done
      done
    done
    ;;
  *)
    echo "scripts/seed001_runs.sh: GROUP: expected one of $groups, got '$group'" >&2
    exit 1
    ;;
esac
