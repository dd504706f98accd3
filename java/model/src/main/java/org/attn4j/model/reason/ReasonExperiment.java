package org.attn4j.model.reason;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.attn4j.model.encdec.DecodeAttention;
import org.attn4j.model.io.Json;
import org.attn4j.model.parity.ProgressListener;

/**
 * One run of {@code ./attn4j reason}: train a model on fresh problems of a task (held-out problems never seen), follow
 * the teacher-forced exact match on an evaluation set, stop at 1.0 (or at the budget), then let the model reason on
 * a test set by greedy generation through its KV caches, as trained and with every other decode-time attention and
 * input length asked for, measuring accuracy, chain length, attended pairs and time per problem.
 */
public final class ReasonExperiment {
    /** Problems generated per call at test time. */
    static final int GENERATION_BATCH = 64;

    private ReasonExperiment() {
    }

    public static ReasonResult run(ReasonOptions options, ProgressListener progress) throws IOException {
        ReasonOptions o = options.copy().validate();
        ReasoningTask task = o.buildTask();
        long start = System.nanoTime();
        double loadBefore = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        SplittableRandom root = new SplittableRandom(o.seed());
        SplittableRandom heldOutRandom = root.split();
        SplittableRandom trainRandom = root.split();
        Set<Long> heldOut = new HashSet<>();
        List<Problem> eval = distinct(task, o.evalSize(), heldOutRandom, heldOut);
        List<Problem> test = distinct(task, o.testSize(), heldOutRandom, heldOut);
        long steps = (o.maxSamples() + o.batch() - 1) / o.batch();
        String label = String.format(Locale.ROOT, "%s %s %s%s", o.arch().label(), task.describe(),
                o.attention().label(), o.featureMask() > 0 ? " M_t alpha " + o.featureMask() : "");
        try (Reasoner r = o.arch() == ReasonOptions.Arch.ENCDEC ? new EncDecReasoner(task, o, steps)
                : new GptReasoner(task, o, steps)) {
            progress.onStage(String.format(Locale.ROOT, "%s: %,d parameters, %s output, seed %d", label,
                    r.parameterCount(), o.output().label(), o.seed()));
            List<TrainingPoint> history = new ArrayList<>();
            Long converged = null;
            long samples = 0;
            double lossSum = 0;
            int lossCount = 0;
            double trainSeconds = 0;
            long trainCpu = 0;
            long nextEval = o.evalEvery();
            while (o.load() == null && samples < o.maxSamples()) {
                int size = (int) Math.min(o.batch(), o.maxSamples() - samples);
                List<Problem> batch = new ArrayList<>(size);
                while (batch.size() < size) {
                    Problem p = task.sample(trainRandom);
                    if (!heldOut.contains(p.fingerprint())) {
                        batch.add(p);
                    }
                }
                long t0 = System.nanoTime();
                long c0 = processCpuNanos();
                lossSum += r.trainStep(batch);
                trainSeconds += (System.nanoTime() - t0) / 1e9;
                trainCpu += processCpuNanos() - c0;
                lossCount++;
                samples += size;
                if (samples >= nextEval || samples >= o.maxSamples()) {
                    nextEval += o.evalEvery();
                    double[] m = teacherForced(r, task, eval);
                    TrainingPoint point = new TrainingPoint(samples, lossSum / lossCount, m[0], m[1],
                            (System.nanoTime() - start) / 1e9);
                    history.add(point);
                    lossSum = 0;
                    lossCount = 0;
                    progress.onStage(String.format(Locale.ROOT, "%s | %d/%d samples | loss %.4f | exact %.3f |"
                                    + " answer %.3f | %.1f s", label, samples, o.maxSamples(), point.loss(),
                            floor3(point.exactMatch()), floor3(point.accuracy()), point.seconds()));
                    if (point.exactMatch() == 1.0 && converged == null) {
                        converged = samples;
                        if (o.stopAtConvergence()) {
                            break;
                        }
                    }
                }
            }
            List<TestResult> tests = new ArrayList<>();
            List<DecodeAttention> decodes = new ArrayList<>();
            decodes.add(DecodeAttention.asTrained());
            decodes.addAll(o.decodeAttention());
            List<Integer> lengths = new ArrayList<>();
            lengths.add(task.inputLength());
            for (int len : o.testLengths()) {
                if (!lengths.contains(len)) {
                    lengths.add(len);
                }
            }
            for (int len : lengths) {
                ReasoningTask sized = len == task.inputLength() ? task : task.withInputLength(len);
                List<Problem> problems = len == task.inputLength() ? test
                        : distinct(sized, o.testSize(), new SplittableRandom(o.seed() * 7919 + len), new HashSet<>());
                for (DecodeAttention d : decodes) {
                    TestResult t = test(r, sized, problems, d);
                    for (int rep = 1; rep < o.testRepeats(); rep++) {
                        t = fastest(t, test(r, sized, problems, d));
                    }
                    tests.add(t);
                    progress.onStage(String.format(Locale.ROOT, "%s | reasoning on %d held-out problems (input %d,"
                                    + " %s): accuracy %.3f, exact %.3f, chain %.2f tokens, attended %.4f,"
                                    + " %.3f ms/problem (%.3f CPU ms)", label, t.problems(), len,
                            t.decodeAttention(), t.accuracy(), t.exactMatch(), t.cotLength(), t.attendedFraction(),
                            t.msPerProblem(), t.cpuMsPerProblem()));
                }
            }
            TestResult head = tests.get(0);
            if (o.save() != null) {
                Map<String, Object> description = new LinkedHashMap<>(o.settings());
                r.save(o.save(), description);
            }
            ReasonResult result = new ReasonResult(task.name(), o.arch().label(), o.attention().label(),
                    o.featureMask(), o.output().label(), head.accuracy(), head.exactMatch(), head.cotLength(),
                    head.attendedFraction(), head.msPerProblem(), converged, samples, r.parameterCount(),
                    r.provider(), (System.nanoTime() - start) / 1e9, trainSeconds, trainCpu / 1e9,
                    new double[] {loadBefore, java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                            .getSystemLoadAverage()}, o.settings(), tests, history);
            if (o.json() != null) {
                Json.write(o.json(), result);
            }
            return result;
        }
    }

    /** {@code count} problems whose fingerprints are new to {@code seen} (which they join). */
    static List<Problem> distinct(ReasoningTask task, int count, SplittableRandom random, Set<Long> seen) {
        List<Problem> out = new ArrayList<>(count);
        int attempts = 0;
        while (out.size() < count) {
            Problem p = task.sample(random);
            if (seen.add(p.fingerprint())) {
                out.add(p);
            } else if (++attempts > 100 * count + 1000) {
                throw new IllegalArgumentException("evalSize/testSize: could not draw " + count + " distinct problems"
                        + " of " + task.describe());
            }
        }
        return out;
    }

    /** {@code a} with the smaller of both runs' times (the answers are deterministic, so equal). */
    static TestResult fastest(TestResult a, TestResult b) {
        boolean first = a.msPerProblem() <= b.msPerProblem();
        TestResult w = first ? a : b;
        return new TestResult(a.decodeAttention(), a.inputLength(), a.problems(), a.accuracy(), a.exactMatch(),
                a.cotLength(), a.attendedFraction(), a.pairs(), w.msPerProblem(),
                Math.min(a.cpuMsPerProblem(), b.cpuMsPerProblem()), w.encodeMsPerProblem(), w.decodeMsPerProblem(),
                a.outputSupport());
    }

    /** {exact match, answer accuracy}, teacher-forced. */
    static double[] teacherForced(Reasoner r, ReasoningTask task, List<Problem> problems) {
        int exact = 0;
        int answered = 0;
        for (int from = 0; from < problems.size(); from += 256) {
            List<Problem> chunk = problems.subList(from, Math.min(problems.size(), from + 256));
            int[][] predicted = r.teacherForced(chunk);
            for (int b = 0; b < chunk.size(); b++) {
                exact += exact(chunk.get(b), predicted[b], task) ? 1 : 0;
                answered += answered(chunk.get(b), predicted[b], task) ? 1 : 0;
            }
        }
        return new double[] {exact / (double) problems.size(), answered / (double) problems.size()};
    }

    /** The model reasoning by generation on {@code problems} with this decode-time attention. */
    static TestResult test(Reasoner r, ReasoningTask task, List<Problem> problems, DecodeAttention d) {
        int exact = 0;
        int answered = 0;
        long chainTokens = 0;
        long attended = 0;
        long dense = 0;
        double encode = 0;
        double decode = 0;
        double support = 0;
        Map<String, long[]> pairs = new LinkedHashMap<>();
        long cpu0 = processCpuNanos();
        for (int from = 0; from < problems.size(); from += GENERATION_BATCH) {
            List<Problem> chunk = problems.subList(from, Math.min(problems.size(), from + GENERATION_BATCH));
            Reasoner.Reasoning g = r.generate(chunk, d);
            for (int b = 0; b < chunk.size(); b++) {
                int[] chain = g.chains()[b];
                exact += exact(chunk.get(b), chain, task) ? 1 : 0;
                answered += answered(chunk.get(b), chain, task) ? 1 : 0;
                int len = 0;
                while (len < chain.length && chain[len] != task.eos()) {
                    len++;
                }
                chainTokens += len;
            }
            attended += g.attendedPairs();
            dense += g.densePairs();
            encode += g.encodeSeconds();
            decode += g.decodeSeconds();
            support += g.meanSupport() * chunk.size();
            g.byKind().forEach((kind, c) -> {
                long[] acc = pairs.computeIfAbsent(kind, k -> new long[2]);
                acc[0] += c[0];
                acc[1] += c[1];
            });
        }
        long cpu = processCpuNanos() - cpu0;
        int n = problems.size();
        return new TestResult(d.label(), task.inputLength(), n, answered / (double) n, exact / (double) n,
                chainTokens / (double) n, dense == 0 ? 0 : attended / (double) dense, pairs,
                1000 * (encode + decode) / n, cpu0 < 0 ? -1 : cpu / 1e6 / n, 1000 * encode / n, 1000 * decode / n,
                support / n);
    }

    /** CPU time of this JVM, all threads, or -1 where the platform does not say. */
    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        }
        return -1;
    }

    /** The chain and the end token are all right. */
    static boolean exact(Problem p, int[] predicted, ReasoningTask task) {
        int[] cot = p.cot();
        for (int t = 0; t < cot.length; t++) {
            if (predicted[t] != cot[t]) {
                return false;
            }
        }
        return predicted[cot.length] == task.eos();
    }

    /** The answer tokens are right. */
    static boolean answered(Problem p, int[] predicted, ReasoningTask task) {
        for (int t : task.answerPositions()) {
            if (predicted[t] != p.cot()[t]) {
                return false;
            }
        }
        return true;
    }

    static double floor3(double v) {
        return Math.floor(v * 1000) / 1000;
    }
}
