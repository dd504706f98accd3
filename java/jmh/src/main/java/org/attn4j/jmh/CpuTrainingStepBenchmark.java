package org.attn4j.jmh;

import java.util.concurrent.TimeUnit;
import org.attn4j.Attention;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * One attention call of a small transformer's training step, forward then backward, on a model-like shape: the
 * model layer calls this thousands of times per epoch on short causal sequences, so per-call overhead shows here.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CpuTrainingStepBenchmark {
    @Param({"cpu"})
    public String provider;

    @Param({"softmax", "sparsemax", "entmax15"})
    public String normalizer;

    @Param({"8"})
    public int batch;

    @Param({"4"})
    public int heads;

    @Param({"64"})
    public int seqLen;

    @Param({"32"})
    public int headDim;

    private AttentionProvider attention;
    private Tensor q;
    private Tensor k;
    private Tensor v;
    private Tensor gradOutput;
    private AttentionRequest request;

    @Setup(Level.Trial)
    public void setUp() {
        attention = Attention.provider(provider);
        q = BenchmarkInputs.gaussian(1, DType.FP32, batch, heads, seqLen, headDim);
        k = BenchmarkInputs.gaussian(2, DType.FP32, batch, heads, seqLen, headDim);
        v = BenchmarkInputs.gaussian(3, DType.FP32, batch, heads, seqLen, headDim);
        gradOutput = BenchmarkInputs.gaussian(4, DType.FP32, batch, heads, seqLen, headDim);
        Normalizer n = Normalizer.parse(normalizer);
        request = AttentionRequest.builder(q, k, v).causal().normalizer(n).returnLse(n == Normalizer.SOFTMAX)
                .build();
    }

    @Benchmark
    public void forwardBackward(Blackhole bh) {
        try (AttentionResult r = attention.forward(request);
             AttentionGradients g = attention.backward(BackwardRequest.of(request, r, gradOutput))) {
            bh.consume(g.dq());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        q.close();
        k.close();
        v.close();
        gradOutput.close();
    }
}
