package org.attn4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockMask;
import org.attn4j.reference.ReferenceProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** cuda against the float64 reference over masks, normalizers, types, head dims and the backward pass. GPU only. */
@RequiresCuda
class CudaVsReferenceTest {
    private static final ReferenceProvider REFERENCE = new ReferenceProvider();
    private static final CudaProvider CUDA = new CudaProvider();

    /** One configuration: shapes and how to set up the request. */
    static final class Config {
        final String name;
        final int batch;
        final int qHeads;
        final int kvHeads;
        final int nq;
        final int nk;
        final UnaryOperator<AttentionRequest.Builder> setup;
        final boolean backward;

        Config(String name, int batch, int qHeads, int kvHeads, int nq, int nk,
               UnaryOperator<AttentionRequest.Builder> setup, boolean backward) {
            this.name = name;
            this.batch = batch;
            this.qHeads = qHeads;
            this.kvHeads = kvHeads;
            this.nq = nq;
            this.nk = nk;
            this.setup = setup;
            this.backward = backward;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static BlockMask randomBlockMask(long seed, int b, int h, int nq, int nk, int bq, int bk) {
        Random r = new Random(seed);
        int qb = (nq + bq - 1) / bq;
        int kb = (nk + bk - 1) / bk;
        boolean[] cells = new boolean[b * h * qb * kb];
        for (int i = 0; i < cells.length; i++) {
            cells[i] = r.nextDouble() < 0.55;
        }
        return BlockMask.of(cells, new int[] {b, h, qb, kb}, bq, bk);
    }

    static List<Config> configs() {
        List<Config> c = new ArrayList<>();
        c.add(new Config("dense", 1, 2, 2, 100, 150, b -> b.returnLse(true), true));
        c.add(new Config("causal gqa", 2, 4, 2, 130, 130, b -> b.causal().returnLse(true), true));
        c.add(new Config("causal mqa decode", 1, 4, 1, 1, 200, b -> b.causal().returnLse(true), false));
        c.add(new Config("causal nq>nk", 1, 2, 2, 150, 64, b -> b.causal().returnLse(true), true));
        c.add(new Config("window+global", 1, 2, 2, 200, 200,
                b -> b.causal().window(50, 0).globalTokens(4).returnLse(true), true));
        c.add(new Config("window two-sided", 1, 2, 1, 120, 180, b -> b.window(30, 20), true));
        c.add(new Config("block mask per head", 2, 2, 2, 140, 160,
                b -> b.blockMask(randomBlockMask(7, 2, 2, 140, 160, 32, 48)).returnLse(true), true));
        c.add(new Config("block mask broadcast + causal", 1, 2, 2, 192, 192,
                b -> b.causal().blockMask(randomBlockMask(8, 1, 1, 192, 192, 64, 64)), true));
        c.add(new Config("block top-k", 1, 2, 1, 192, 256, b -> b.topKBlocks(2, 64, 64), false));
        c.add(new Config("block top-k unaligned causal", 1, 2, 2, 200, 200, b -> b.causal().topKBlocks(3, 48, 40),
                false));
        c.add(new Config("token top-k", 1, 2, 2, 90, 220, b -> b.topKTokens(13), false));
        c.add(new Config("token top-k + window", 1, 1, 1, 150, 150, b -> b.window(40, 8).topKTokens(20), false));
        c.add(new Config("sparsemax", 1, 2, 2, 110, 170, b -> b.normalizer(Normalizer.SPARSEMAX), false));
        c.add(new Config("entmax15 causal", 1, 2, 1, 160, 160,
                b -> b.causal().normalizer(Normalizer.ENTMAX15), false));
        c.add(new Config("entmax15 + token top-k + block mask", 1, 1, 1, 128, 170,
                b -> b.blockMask(randomBlockMask(9, 1, 1, 128, 170, 32, 32)).topKTokens(9)
                        .normalizer(Normalizer.ENTMAX15), false));
        c.add(new Config("sparsemax + block top-k", 1, 1, 1, 180, 180,
                b -> b.causal().topKBlocks(2, 64, 64).normalizer(Normalizer.SPARSEMAX), false));
        c.add(new Config("fp32 output", 1, 2, 2, 70, 90, b -> b.outputDType(DType.FP32).returnLse(true), false));
        return c;
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (DType t : new DType[] {DType.FP16, DType.BF16}) {
            for (int d : new int[] {64, 128}) {
                for (Config c : configs()) {
                    out.add(Arguments.of(t, d, c));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} d{1} {2}")
    @MethodSource("cases")
    void matchesTheReference(DType dtype, int d, Config c) {
        Random rnd = new Random(c.name.hashCode() * 31L + d + dtype.ordinal());
        try (Tensor q = TestTensors.random(rnd, dtype, 1.5f, c.batch, c.qHeads, c.nq, d);
             Tensor k = TestTensors.random(rnd, dtype, 1.5f, c.batch, c.kvHeads, c.nk, d);
             Tensor v = TestTensors.random(rnd, dtype, 1.0f, c.batch, c.kvHeads, c.nk, d)) {
            AttentionRequest r = c.setup.apply(AttentionRequest.builder(q, k, v)).build();
            try (AttentionResult want = REFERENCE.forward(r); AttentionResult got = CUDA.forward(r)) {
                double err = TestTensors.relativeError(got.output(), want.output());
                assertTrue(err < 1e-2, "relative error of O " + err);
                if (r.returnLse()) {
                    float[] a = got.lse().orElseThrow().toFloatArray();
                    float[] b = want.lse().orElseThrow().toFloatArray();
                    for (int i = 0; i < a.length; i++) {
                        if (Float.isInfinite(b[i])) {
                            assertEquals(b[i], a[i], "LSE of a row with nothing allowed");
                        } else {
                            assertEquals(b[i], a[i], 1e-2 * (1 + Math.abs(b[i])), "LSE row " + i);
                        }
                    }
                }
                // The same call on device tensors gives the same bits.
                try (Tensor dq = CudaTensors.copyOf(q, 0); Tensor dk = CudaTensors.copyOf(k, 0);
                     Tensor dv = CudaTensors.copyOf(v, 0);
                     AttentionResult onDevice = CUDA.forward(c.setup.apply(AttentionRequest.builder(dq, dk, dv))
                             .build());
                     Tensor back = CudaTensors.toHost(onDevice.output())) {
                    assertEquals(0.0, TestTensors.relativeError(back, got.output()), "device and host paths differ");
                }
                if (c.backward) {
                    try (Tensor g = TestTensors.random(rnd, dtype, 1.0f, c.batch, c.qHeads, c.nq, d);
                         AttentionGradients gw = REFERENCE.backward(BackwardRequest.of(r, want, g));
                         AttentionGradients gg = CUDA.backward(BackwardRequest.of(r, got, g))) {
                        assertTrue(TestTensors.relativeError(gg.dq(), gw.dq()) < 2e-2, "dQ error");
                        assertTrue(TestTensors.relativeError(gg.dk(), gw.dk()) < 2e-2, "dK error");
                        assertTrue(TestTensors.relativeError(gg.dv(), gw.dv()) < 2e-2, "dV error");
                    }
                }
            }
        }
    }
}
