package org.attn4j.bench;

import java.util.ArrayList;
import java.util.List;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.bench.check.CheckResult;
import org.attn4j.bench.check.ReferenceCheck;
import org.attn4j.bench.check.Tolerance;
import org.attn4j.bench.count.PairCounter;
import org.attn4j.bench.count.Work;
import org.attn4j.bench.data.InputSets;
import org.attn4j.bench.data.Placement;
import org.attn4j.bench.progress.ProgressBar;
import org.attn4j.bench.results.Accuracy;
import org.attn4j.bench.results.BenchRow;
import org.attn4j.bench.results.RowStatus;
import org.attn4j.bench.timing.Deadline;
import org.attn4j.bench.timing.IntervalTimer;
import org.attn4j.bench.timing.Measurement;
import org.attn4j.bench.timing.RepetitionPolicy;
import org.attn4j.bench.timing.Stats;
import org.attn4j.bench.workload.Shape;
import org.attn4j.bench.workload.Workload;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Support;

/**
 * Measures one provider over a list of workloads: for each workload and type, inputs where the provider reads them,
 * a check against the reference, then the timing loop, forward and (where supported) backward.
 */
final class ProviderBench {

    private final AttentionProvider provider;
    private final Placement placement;
    private final ReferenceCheck check;
    private final RepetitionPolicy policy;
    private final Deadline deadline;
    private final long rotateBytes;
    private final int maxSets;
    /** Input sets given a forward result of their own for the backward timing (each holds O and LSE). */
    private final int backwardSets;
    private final boolean forward;
    private final boolean backward;
    private final RowFactory rows;

    ProviderBench(AttentionProvider provider, Placement placement, ReferenceCheck check, RepetitionPolicy policy,
                  Deadline deadline, long rotateBytes, int maxSets, int backwardSets, boolean forward,
                  boolean backward, RowFactory rows) {
        this.provider = provider;
        this.placement = placement;
        this.check = check;
        this.policy = policy;
        this.deadline = deadline;
        this.rotateBytes = rotateBytes;
        this.maxSets = maxSets;
        this.backwardSets = backwardSets;
        this.forward = forward;
        this.backward = backward;
        this.rows = rows;
    }

    /** Rows for every workload and type, in order; one progress step per (workload, type). */
    List<BenchRow> run(List<Workload> workloads, List<DType> dtypes, ProgressBar progress) {
        List<BenchRow> out = new ArrayList<>();
        for (DType dtype : dtypes) {
            InputSets sets = null;
            try {
                for (Workload w : workloads) {
                    progress.start(provider.name() + " " + w.shape().set() + " " + w.shape().describe() + " "
                            + w.mask().label() + " " + dtype);
                    if (deadline.passed()) {
                        String note = "time budget of " + deadline.seconds() + " s used up";
                        addBoth(out, w, dtype, RowStatus.SKIPPED, note);
                    } else {
                        try {
                            if (sets == null || !sets.shape().equals(w.shape())) {
                                if (sets != null) {
                                    sets.close();
                                    sets = null;
                                }
                                sets = InputSets.create(w.shape(), dtype, placement, rotateBytes, maxSets,
                                        w.seed());
                            }
                            out.addAll(runWorkload(w, dtype, sets));
                        } catch (RuntimeException | OutOfMemoryError e) {
                            addBoth(out, w, dtype, RowStatus.ERROR, "could not prepare inputs: " + message(e));
                        }
                    }
                    progress.step();
                }
            } finally {
                if (sets != null) {
                    sets.close();
                }
            }
        }
        return out;
    }

    private void addBoth(List<BenchRow> out, Workload w, DType dtype, RowStatus status, String note) {
        if (forward) {
            out.add(rows.notRun(w, dtype, false, status, note));
        }
        if (backward) {
            out.add(rows.notRun(w, dtype, true, status, note));
        }
    }

    private List<BenchRow> runWorkload(Workload w, DType dtype, InputSets sets) {
        List<BenchRow> out = new ArrayList<>();
        InputSets.Set first = sets.get(0);
        AttentionRequest base = w.mask().applyTo(AttentionRequest.builder(first.q, first.k, first.v)).build();
        Work[] work = new Work[2];
        if (forward) {
            out.add(guarded(w, dtype, false, () -> {
                Support s = provider.supports(base);
                if (!s.isSupported()) {
                    return rows.notRun(w, dtype, false, RowStatus.UNSUPPORTED, s.reason());
                }
                return timeForward(w, dtype, sets, base, work(w, sets, base, work, false));
            }));
        }
        if (backward) {
            out.add(guarded(w, dtype, true, () -> {
                Support s = provider.supportsBackward(base);
                if (!s.isSupported()) {
                    return rows.notRun(w, dtype, true, RowStatus.UNSUPPORTED, s.reason());
                }
                if (deadline.passed()) {
                    return rows.notRun(w, dtype, true, RowStatus.SKIPPED,
                            "time budget of " + deadline.seconds() + " s used up");
                }
                return timeBackward(w, dtype, sets, base, work(w, sets, base, work, true));
            }));
        }
        return out;
    }

    private BenchRow timeForward(Workload w, DType dtype, InputSets sets, AttentionRequest base, Work work)
            throws Exception {
        Shape s = w.shape();
        double tol = Tolerance.of(dtype, placement.device(), false);
        try (Tensor output = placement.allocate(dtype, s.batch(), s.headsQ(), s.seqQ(), s.valueDim())) {
            AttentionRequest[] requests = new AttentionRequest[sets.size()];
            for (int i = 0; i < requests.length; i++) {
                InputSets.Set set = sets.get(i);
                requests[i] = base.toBuilder().tensors(set.q, set.k, set.v).output(output).build();
            }
            CheckResult c;
            try (AttentionResult r = provider.forward(requests[0])) {
                placement.synchronize();
                c = check.forward(s, w.mask(), requests[0], r.output(), tol);
            }
            Accuracy accuracy = accuracy(c);
            if (!c.passed()) {
                return rows.failedCheck(w, dtype, false, work, accuracy, "reference check failed: " + c.failure());
            }
            try (IntervalTimer timer = placement.newTimer()) {
                double[] ms = Measurement.run(i -> provider.forward(requests[i]), requests.length, policy, timer,
                        deadline);
                return rows.measured(w, dtype, false, Stats.of(ms), policy.warmup(), timer.kind(), work, accuracy);
            }
        }
    }

    private BenchRow timeBackward(Workload w, DType dtype, InputSets sets, AttentionRequest base, Work work)
            throws Exception {
        Shape s = w.shape();
        double tol = Tolerance.of(dtype, placement.device(), true);
        int n = Math.min(sets.size(), backwardSets);
        boolean lse = base.normalizer() == Normalizer.SOFTMAX;
        AttentionResult[] forwards = new AttentionResult[n];
        try {
            BackwardRequest[] requests = new BackwardRequest[n];
            for (int i = 0; i < n; i++) {
                InputSets.Set set = sets.get(i);
                AttentionRequest r = base.toBuilder().tensors(set.q, set.k, set.v).returnLse(lse).build();
                forwards[i] = provider.forward(r);
                requests[i] = BackwardRequest.of(r, forwards[i], sets.gradOutput(i));
            }
            CheckResult c;
            try (AttentionGradients g = provider.backward(requests[0])) {
                placement.synchronize();
                c = check.backward(s, w.mask(), requests[0].forward(), sets.gradOutput(0), g.dq(), tol);
            }
            Accuracy accuracy = accuracy(c);
            if (!c.passed()) {
                return rows.failedCheck(w, dtype, true, work, accuracy, "reference check of dQ failed: "
                        + c.failure());
            }
            try (IntervalTimer timer = placement.newTimer()) {
                double[] ms = Measurement.run(i -> provider.backward(requests[i]), n, policy, timer, deadline);
                return rows.measured(w, dtype, true, Stats.of(ms), policy.warmup(), timer.kind(), work, accuracy);
            }
        } finally {
            for (AttentionResult r : forwards) {
                if (r != null) {
                    r.close();
                }
            }
        }
    }

    /** P counted once per workload and type (averaged over the input sets when selections depend on the data). */
    private Work work(Workload w, InputSets sets, AttentionRequest base, Work[] cache, boolean bwd) {
        if (cache[0] == null) {
            Shape s = w.shape();
            long pairs;
            if (w.mask().blockTopK() == null) {
                pairs = PairCounter.count(s, w.mask(), base.scale(), null);
            } else {
                double sum = 0;
                for (int i = 0; i < sets.size(); i++) {
                    sum += PairCounter.count(s, w.mask(), base.scale(), reader(sets.get(i), s));
                }
                pairs = Math.round(sum / sets.size());
            }
            cache[0] = Work.of(pairs, s.densePairs(), s.headDim(), s.valueDim(), false);
            cache[1] = Work.of(pairs, s.densePairs(), s.headDim(), s.valueDim(), true);
        }
        return cache[bwd ? 1 : 0];
    }

    private static PairCounter.HeadReader reader(InputSets.Set set, Shape s) {
        return new PairCounter.HeadReader() {
            @Override
            public float[] queries(int b, int h) {
                float[] rows = new float[s.seqQ() * s.headDim()];
                set.q.copyTo(rows, 0, set.q.flatIndex(b, h, 0, 0), rows.length);
                return rows;
            }

            @Override
            public float[] keys(int b, int kvHead) {
                float[] rows = new float[s.seqK() * s.headDim()];
                set.k.copyTo(rows, 0, set.k.flatIndex(b, kvHead, 0, 0), rows.length);
                return rows;
            }
        };
    }

    private static Accuracy accuracy(CheckResult c) {
        return new Accuracy(Double.isFinite(c.relError()) ? c.relError() : null, c.tolerance(), c.samples());
    }

    private interface RowTask {
        BenchRow run() throws Exception;
    }

    /** Runs one row; a provider that throws yields an error row, and the sweep goes on. */
    private BenchRow guarded(Workload w, DType dtype, boolean bwd, RowTask task) {
        try {
            return task.run();
        } catch (Exception | OutOfMemoryError e) {
            return rows.notRun(w, dtype, bwd, RowStatus.ERROR, message(e));
        }
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
