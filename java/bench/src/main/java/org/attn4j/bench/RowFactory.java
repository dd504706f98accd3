package org.attn4j.bench;

import org.attn4j.DType;
import org.attn4j.bench.count.Work;
import org.attn4j.bench.results.Accuracy;
import org.attn4j.bench.results.BenchRow;
import org.attn4j.bench.results.RowStatus;
import org.attn4j.bench.results.ShapeDims;
import org.attn4j.bench.results.TimeStats;
import org.attn4j.bench.results.WorkCount;
import org.attn4j.bench.timing.Stats;
import org.attn4j.bench.workload.Shape;
import org.attn4j.bench.workload.Workload;

/**
 * Builds the rows of one provider, workload, type and direction: attn4j rows, or peer rows for a provider plugin
 * measured as a peer ({@code bench --peers torch-sdpa}).
 */
final class RowFactory {
    private final String kind;
    private final String provider;
    private final String implementation;
    private final String device;
    private final String deviceKind;

    RowFactory(String kind, String provider, String implementation, String device, String deviceKind) {
        this.kind = kind;
        this.provider = provider;
        this.implementation = implementation;
        this.device = device;
        this.deviceKind = deviceKind;
    }

    BenchRow notRun(Workload w, DType dtype, boolean backward, RowStatus status, String note) {
        return row(w, dtype, backward, status, note, null, null, null);
    }

    BenchRow failedCheck(Workload w, DType dtype, boolean backward, Work work, Accuracy check, String note) {
        return row(w, dtype, backward, RowStatus.FAILED_CHECK, note, null, work, check);
    }

    BenchRow measured(Workload w, DType dtype, boolean backward, Stats stats, int warmup, String timer, Work work,
                      Accuracy check) {
        TimeStats t = new TimeStats(stats.median(), stats.min(), stats.max(), stats.mean(), stats.count(), warmup,
                timer);
        return row(w, dtype, backward, RowStatus.OK, "", t, work, check);
    }

    private BenchRow row(Workload w, DType dtype, boolean backward, RowStatus status, String note, TimeStats time,
                         Work work, Accuracy check) {
        Shape s = w.shape();
        WorkCount wc = work == null ? null
                : new WorkCount(work.allowedPairs(), work.densePairs(), work.density(), work.flops(),
                work.denseFlops());
        Double tflops = time == null || work == null ? null : work.tflops(time.median());
        Double dense = time == null || work == null ? null : work.denseEquivalentTflops(time.median());
        return new BenchRow(provider, kind, implementation, device, deviceKind, w.id(), s.set(),
                s.scale().label(), new ShapeDims(s.batch(), s.headsQ(), s.headsKv(), s.seqQ(), s.seqK(),
                s.headDim(), s.valueDim()), w.mask().family().id(), w.mask().label(),
                w.mask().normalizer().label(), dtype.label(), backward ? "backward" : "forward", status, note, time,
                wc, tflops, dense, check, null);
    }
}
