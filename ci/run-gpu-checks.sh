#!/usr/bin/env bash
# Runs on the GPU machine, from the repo root, with .gpu-bundle/ carried along (ci/build-gpu-bundle.sh made it):
#   1. gpu_check check      every kernel path against the float64 reference (C ABI, no Java)
#   2. compute-sanitizer    memcheck and racecheck over a short run of every kernel
#   3. Java tests           the cuda provider's JUnit tests (GPU tests included; the conformance kit on cuda when
#                           the merged tree has it) with the bundled runtime and console launcher
#   4. gpu_check bench      forward timings: dense (causal or not, head dim 64/128, 4k-16k), block-sparse, block
#                           top-k; plus PyTorch's SDPA on the dense shapes for comparison when torch is there
#   javabench (only when asked, in a second call: ATTN4J_GPU_PHASES=javabench)
#                           ./attn4j bench on cuda beside PyTorch (SDPA backends, FlexAttention), the SPEC's shapes:
#                           OUT/report/ (index.html, results.json, results.csv, the plots as PNG) and run.log
#   decode (only when asked: ATTN4J_GPU_PHASES=decode)
#                           ./attn4j decode on cuda (device cache, CUDA event timing), fp16, GQA 32/8, head dim
#                           128, 1k-32k keys, dense and sparse masks: OUT/decode-cuda.json, .png and run.log
# Writes at most 8 files into OUT (the device tool's limit): summary.json, check.json, bench.json, torch.json,
# java-tests.txt, memcheck.txt, racecheck.txt, run.log; prints a short table last. Exit status 0 when all passed.
# Usage: ci/run-gpu-checks.sh OUT_DIR      (default: $OUT)
# The phases' time limits add up to under 10 minutes (the device tool's per-call limit), summary included.
# ATTN4J_GPU_PHASES picks phases (default "check memcheck racecheck java bench"), e.g. to finish in a second call.
set -uo pipefail
phases=" ${ATTN4J_GPU_PHASES:-check memcheck racecheck java bench} "
want() { case "$phases" in *" $1 "*) return 0 ;; esac; return 1; }
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-${OUT:-}}
[ -n "$out" ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
mkdir -p "$out"
bundle="$repo/.gpu-bundle"
log="$out/run.log"
: > "$log"
export PYTHONUNBUFFERED=1

say() { echo "[gpu-checks] $*" | tee -a "$log"; }
status_check=skipped status_memcheck=skipped status_racecheck=skipped status_java=skipped status_bench=skipped

[ -d "$bundle" ] || { say "no .gpu-bundle: build it with ci/build-gpu-bundle.sh and carry it"; exit 2; }
say "bundle: $(head -2 "$bundle/MANIFEST" | tr '\n' ' ')"
# The Java runtime travels packed (ci/build-gpu-bundle.sh); unpack it outside the repository.
jre=/tmp/attn4j-jre/jre
[ -x "$jre/bin/java" ] || { mkdir -p /tmp/attn4j-jre && tar -C /tmp/attn4j-jre -xzf "$bundle/jre.tar.gz"; }
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv 2>&1 | tee -a "$log"

# 0. gpu_check: the bundled binary, else rebuilt here from the sources (nvcc is on the GPU image). Only the phases
#    that run it need it.
gpu_check=/tmp/attn4j-gpu_check
if want check || want memcheck || want racecheck || want bench; then
    gzip -dc "$bundle/bin/gpu_check.gz" > "$gpu_check" && chmod +x "$gpu_check"
    "$gpu_check" nothing > /dev/null 2>&1
    rc=$?
    if [ $rc -ne 2 ]; then  # 2 = it ran and printed its usage
        say "bundled gpu_check does not run here (exit $rc); rebuilding from cuda/ with this machine's nvcc"
        make -s -C "$repo/cuda" -j"$(nproc)" gpu-check BUILD=/tmp/attn4j-cuda-build >> "$log" 2>&1 \
            && gpu_check=/tmp/attn4j-cuda-build/gpu_check
    fi
fi

# 1. Correctness through the C ABI.
if want check; then
    say "gpu_check check"
    if timeout 100 "$gpu_check" check "$out/check.json" >> "$log" 2>&1; then status_check=passed; else status_check="failed ($?)"; fi
    say "  $(grep -c '^ok ' "$log") cases ok, $(grep -c '^FAIL ' "$log") failed"
    grep '^FAIL ' "$log" | head -20
fi

# 2. Sanitizers over a short run of every kernel (small shapes; racecheck on two type/dim combinations).
if ! command -v compute-sanitizer > /dev/null 2>&1; then
    say "compute-sanitizer not found: sanitizer runs skipped"
else
    if want memcheck; then
        say "compute-sanitizer memcheck"
        timeout 110 compute-sanitizer --tool memcheck --leak-check full --error-exitcode 9 "$gpu_check" sanitize \
            > "$out/memcheck.txt" 2>&1
        rc=$?
        if [ $rc -eq 0 ]; then status_memcheck=clean; else status_memcheck="errors ($rc)"; fi
        tail -3 "$out/memcheck.txt" | tee -a "$log"
    fi
    if want racecheck; then
        say "compute-sanitizer racecheck"
        timeout 110 compute-sanitizer --tool racecheck --racecheck-report all --error-exitcode 9 "$gpu_check" \
            sanitize "" "fp16 d64|bf16 d128" > "$out/racecheck.txt" 2>&1
        rc=$?
        if [ $rc -eq 0 ]; then status_racecheck=clean; else status_racecheck="hazards ($rc)"; fi
        tail -3 "$out/racecheck.txt" | tee -a "$log"
    fi
fi

# 3. Java tests with the bundled runtime.
if want java; then
say "Java tests (JUnit console launcher)"
cp_jars=$(ls "$bundle"/lib/*.jar | tr '\n' ':')
timeout 110 "$jre/bin/java" --enable-native-access=ALL-UNNAMED -Dorg.bytedeco.javacpp.cachedir=/tmp/attn4j-javacpp \
    -Dattn4j.cuda.header="$repo/cuda/include/attn4j_cuda.h" \
    -jar "$bundle"/launcher/junit-platform-console-standalone-*.jar execute --class-path "$cp_jars" \
    --scan-class-path "$(ls "$bundle"/lib/*-tests.jar | tr '\n' ':')" --disable-banner --details=tree \
    --disable-ansi-colors > "$out/java-tests.txt" 2>&1
rc=$?
if [ $rc -eq 0 ]; then status_java=passed; else status_java="failed ($rc)"; fi
tail -16 "$out/java-tests.txt" | tee -a "$log"
fi

# 4. Benchmark.
if want bench; then
    say "gpu_check bench"
    if timeout 90 "$gpu_check" bench "$out/bench.json" >> "$log" 2>&1; then status_bench=done; else status_bench="failed ($?)"; fi
    if python3 -c "import torch; assert torch.cuda.is_available()" > /dev/null 2>&1; then
        say "PyTorch SDPA on the dense shapes (for comparison)"
        timeout 45 python3 "$repo/ci/torch_baseline.py" "$out/torch.json" >> "$log" 2>&1 || say "torch baseline failed"
    fi
fi

# 5. The Java benchmark beside PyTorch, in its own call (the default phases fill the first call): the budget bounds
#    the attn4j rows and each of the two peer commands (torch on the GPU, torch on the CPU) to 170 s.
if want javabench; then
    say "./attn4j bench --provider cuda --peers torch"
    commit=$(sed -n 's/^commit: \([0-9a-f]*\).*/\1/p' "$bundle/MANIFEST")
    if ATTN4J_COMMIT="$commit" timeout 570 "$jre/bin/java" --enable-native-access=ALL-UNNAMED \
        -Dorg.bytedeco.javacpp.cachedir=/tmp/attn4j-javacpp -cp "$(ls "$bundle"/lib/*.jar | tr '\n' ':')" \
        org.attn4j.bench.BenchMain --provider cuda --peers torch --no-progress --budget 170 \
        --report "$out/report" >> "$log" 2>&1; then
        status_bench=done
    else
        status_bench="failed ($?)"
    fi
    tail -40 "$log"
    exit 0
fi

# 6. The decode benchmark on the device cache, in its own call.
if want decode; then
    say "./attn4j decode --provider cuda"
    if timeout 500 "$jre/bin/java" --enable-native-access=ALL-UNNAMED \
        -Dorg.bytedeco.javacpp.cachedir=/tmp/attn4j-javacpp -cp "$(ls "$bundle"/lib/*.jar | tr '\n' ':')" \
        org.attn4j.bench.decode.DecodeMain --provider cuda --dtype fp16 --heads 32 --kv-heads 8 --dim 128 \
        --context 1024,4096,16384,32768 --mask dense window:1024,16 blocktopk:10%,64 blocktopk:10%,64,group \
        tokentopk:64 --peers none --seconds 0.5 --json "$out/decode-cuda.json" --png "$out/decode-cuda.png" \
        >> "$log" 2>&1; then
        status_bench=done
    else
        status_bench="failed ($?)"
    fi
    tail -30 "$log"
    exit 0
fi

python3 - "$out" "$status_check" "$status_memcheck" "$status_racecheck" "$status_java" "$status_bench" <<'PY'
import json, os, sys, re, subprocess
out, check, memcheck, racecheck, java, bench = sys.argv[1:]
def load(name):
    try:
        with open(os.path.join(out, name)) as f:
            return json.load(f)
    except Exception:
        return None
summary = {"check": check, "memcheck": memcheck, "racecheck": racecheck, "java_tests": java, "bench": bench}
try:
    summary["nvidia_smi"] = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
                                           capture_output=True, text=True).stdout.strip()
except Exception:
    pass
c = load("check.json")
if c:
    summary["device"] = c.get("device")
    summary["check_failed"] = c.get("failed")
    summary["check_cases"] = len(c.get("cases", []))
try:
    text = open(os.path.join(out, "java-tests.txt")).read()
    for key in ["tests successful", "tests failed", "tests skipped", "tests aborted"]:
        m = re.search(r"\[\s*(\d+) " + key, text)
        summary["java_" + key.replace(" ", "_")] = int(m.group(1)) if m else None
except Exception:
    pass
b = load("bench.json")
t = load("torch.json") or {}
summary["benchmark"] = b
summary["torch"] = t
with open(os.path.join(out, "summary.json"), "w") as f:
    json.dump(summary, f, indent=2)
print()
print("attn4j GPU checks on", summary.get("device") or summary.get("nvidia_smi"))
for k in ["check", "memcheck", "racecheck", "java_tests", "bench"]:
    print(f"  {k:<11} {summary[k]}")
if c:
    print(f"  kernel checks: {summary['check_cases'] - (summary['check_failed'] or 0)}/{summary['check_cases']} passed")
if "java_tests_successful" in summary:
    print(f"  java tests: {summary.get('java_tests_successful')} ok, {summary.get('java_tests_failed')} failed, "
          f"{summary.get('java_tests_skipped')} skipped")
def num(x, fmt):
    return format(x, fmt) if isinstance(x, (int, float)) else "n/a"
if b:
    tmap = {(r["seq"], r["head_dim"], r["causal"]): r for r in t.get("rows", [])}
    print(f"  {'case':<16}{'S':>6}{'D':>5}{'causal':>7}{'dens':>6}{'ms':>9}{'TFLOP/s':>9}{'dense-eq':>9}{'torch':>8}")
    for r in b.get("rows", []):
        tr = tmap.get((r["seq"], r["head_dim"], r["causal"])) if r["name"] == "dense" else None
        line = (f"  {r['name']:<16}{r['seq']:>6}{r['head_dim']:>5}{r['causal']:>7}{num(r.get('density'), '.2f'):>6}"
                f"{num(r.get('ms'), '.3f'):>9}{num(r.get('tflops'), '.1f'):>9}{num(r.get('dense_equiv_tflops'), '.1f'):>9}"
                f"{num(tr['tflops'] if tr else None, '.1f'):>8}")
        if r.get("select_ms"):
            line += f"  select {num(r['select_ms'], '.3f')} ms"
        print(line)
PY
case "$status_check$status_memcheck$status_racecheck$status_java" in
    *fail*|*error*|*hazard*) exit 1 ;;
esac
exit 0
