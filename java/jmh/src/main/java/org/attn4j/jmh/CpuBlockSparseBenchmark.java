package org.attn4j.jmh;

import java.util.concurrent.TimeUnit;
import org.attn4j.Attention;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockMask;
import org.attn4j.spi.AttentionProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Forward attention on one provider, dense and under random block masks of decreasing density (issue 2's goal:
 * at 10% density at most 0.2 of the dense time). Shape B=1, H=8, N=4096, D=64, fp32; masks of 128 x 128 cells,
 * a different random set per head, exactly {@code density} of the cells kept; {@code density=1.0} is the request
 * with no mask at all. Each trial prints its attended pairs P, from which GFLOP/s = 2 (D + Dv) P / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 6)
@Fork(2)
public class CpuBlockSparseBenchmark {
    @Param({"cpu"})
    public String provider;

    @Param({"1.0", "0.5", "0.1", "0.02"})
    public double density;

    @Param({"1"})
    public int batch;

    @Param({"8"})
    public int heads;

    @Param({"4096"})
    public int seqLen;

    @Param({"64"})
    public int headDim;

    @Param({"128"})
    public int block;

    @Param({"fp32"})
    public String dtype;

    private AttentionProvider attention;
    private Tensor q;
    private Tensor k;
    private Tensor v;
    private AttentionRequest request;

    @Setup(Level.Trial)
    public void setUp() {
        attention = Attention.provider(provider);
        DType t = DType.parse(dtype);
        q = BenchmarkInputs.gaussian(1, t, batch, heads, seqLen, headDim);
        k = BenchmarkInputs.gaussian(2, t, batch, heads, seqLen, headDim);
        v = BenchmarkInputs.gaussian(3, t, batch, heads, seqLen, headDim);
        AttentionRequest.Builder b = AttentionRequest.builder(q, k, v);
        if (density < 1.0) {
            BlockMask mask = BenchmarkInputs.randomBlockMask(42, heads, seqLen, seqLen, block, density);
            b.blockMask(mask);
        }
        request = b.build();
        try (AttentionResult r = attention.forward(request)) {
            long pairs = r.allowedPairs().orElse(-1);
            double dense = (double) batch * heads * seqLen * seqLen;
            System.out.printf("%n[attn4j] provider=%s density=%s pairs P=%d (%.4f of dense) forward FLOPs=%.4e%n",
                    provider, density, pairs, pairs / dense, BenchmarkInputs.forwardFlops(pairs, headDim, headDim));
        }
    }

    @Benchmark
    public long forward() {
        try (AttentionResult r = attention.forward(request)) {
            return r.allowedPairs().orElse(0);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        q.close();
        k.close();
        v.close();
    }
}
