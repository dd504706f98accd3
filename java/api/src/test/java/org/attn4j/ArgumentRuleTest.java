package org.attn4j;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.attn4j.mask.BlockMask;
import org.attn4j.plugins.ProbeProvider;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Capabilities;
import org.attn4j.spi.Support;
import org.attn4j.spi.TensorStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The API's one rule (README, "Errors"): every bad argument, {@code null} included, to every factory, builder setter
 * and entry point throws an IllegalArgumentException whose message starts with the field's name; never a
 * NullPointerException, ArithmeticException or IllegalStateException.
 */
class ArgumentRuleTest {
    private static void expect(String field, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        String m = e.getMessage();
        assertTrue(m.startsWith(field) && m.length() > field.length()
                        && ".:[ '(".indexOf(m.charAt(field.length())) >= 0,
                () -> "message should start with the field '" + field + "': " + m);
    }

    @Test
    void tensorFactories() {
        expect("shape", () -> Tensor.allocate(DType.FP32, 1 << 30, 1 << 30, 48, 16));
        expect("shape", () -> Tensor.allocate(DType.FP32, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE));
        expect("shape", () -> Tensor.allocate(DType.FP32, 1 << 16, 1 << 15));
        expect("shape[1]", () -> Tensor.allocate(DType.FP16, 2, -1));
        expect("shape", () -> Tensor.allocate(DType.FP32, (int[]) null));
        expect("dtype", () -> Tensor.allocate(null, 2, 2));
        expect("values", () -> Tensor.of(DType.FP32, null, 2));
        expect("values", () -> Tensor.of(new float[3], 2, 2));
        expect("storage", () -> Tensor.wrap(null, DType.FP32, 2));
        try (Tensor x = Tensor.allocate(DType.FP32, 2, 2)) {
            expect("dtype", () -> Tensor.wrap(x.storage(), null, 2));
            expect("shape", () -> Tensor.wrap(x.storage(), DType.FP32, Integer.MAX_VALUE, Integer.MAX_VALUE, 4));
            expect("values", () -> x.copyFrom(null));
            expect("src", () -> x.copyFrom(null, 0, 0, 1));
            expect("dst", () -> x.copyTo(null, 0, 0, 1));
            expect("indices", () -> x.get((int[]) null));
            expect("indices[1]", () -> x.get(0, 2));
            expect("target", () -> x.toDType(null));
            expect("axis", () -> x.dim(2));
        }
    }

    @Test
    void requestBuilderSettersAndBuild() {
        try (Tensor q = Tensor.allocate(DType.FP32, 1, 2, 4, 8)) {
            AttentionRequest.Builder b = AttentionRequest.builder(q, q, q);
            expect("normalizer", () -> b.normalizer(null));
            expect("window.left", () -> b.window(-1, 0));
            expect("topKTokens.k", () -> b.topKTokens(0));
            expect("topKBlocks.blockK", () -> b.topKBlocks(1, 1, 0));
            expect("q", () -> AttentionRequest.builder(null, q, q).build());
            expect("k", () -> AttentionRequest.builder(q, null, q).build());
            expect("v", () -> AttentionRequest.builder(q, q, null).build());
            expect("scale", () -> AttentionRequest.builder(q, q, q).scale(Double.NaN).build());
            // Optional settings: null clears them, and the request builds.
            AttentionRequest.builder(q, q, q).window(null).blockMask(null).topKTokens((org.attn4j.mask.TokenTopK) null)
                    .topKBlocks((org.attn4j.mask.BlockTopK) null).outputDType(null).output(null).lseOutput(null)
                    .build();
        }
    }

    @Test
    void masks() {
        expect("blockMask.grid", () -> BlockMask.of(null, 1, 1));
        expect("blockMask.grid[1]", () -> BlockMask.of(new boolean[][] {{true}, null}, 1, 1));
        expect("blockMask.grid[1]", () -> BlockMask.of(new boolean[][] {{true}, {true, false}}, 1, 1));
        expect("blockMask.values", () -> BlockMask.of(null, new int[] {1, 1}, 1, 1));
        expect("blockMask.values", () -> BlockMask.of(new boolean[3], new int[] {2, 2}, 1, 1));
        expect("blockMask.shape", () -> BlockMask.of(new boolean[1], null, 1, 1));
        expect("blockMask.shape[0]", () -> BlockMask.of(new boolean[4], new int[] {-1, -1, 2, 2}, 1, 1));
        expect("blockMask.cell", () -> BlockMask.fromFunction(1, 1, 1, 1, 1, 1, null));
        int max = Integer.MAX_VALUE;
        expect("blockMask.shape", () -> BlockMask.fromFunction(max, max, max, max, 1, 1, (b, h, i, j) -> true));
        expect("blockMask.blockQ", () -> BlockMask.of(new boolean[][] {{true}}, 0, 1));
    }

    @Test
    void entryPointsAndSelection() {
        expect("request", () -> Attention.forward(null));
        expect("request", () -> Attention.forward(null, "probe"));
        expect("request", () -> Attention.backward(null, "probe"));
        expect("result", () -> Attention.backward(null, null, null));
        expect("request", () -> Attention.select(null));
        expect("provider", () -> Attention.provider(null));
        expect("provider", () -> Attention.provider("no-such-provider"));
        expect("forward", () -> BackwardRequest.of(null, null, null, null));
        try (Tensor q = Tensor.allocate(DType.FP32, 1, 1, 4, 8)) {
            AttentionRequest r = AttentionRequest.builder(q, q, q).build();
            expect("result", () -> BackwardRequest.of(r, (AttentionResult) null, q));
            expect("output", () -> BackwardRequest.of(r, null, null, q));
            // An unavailable provider asked for by name: the same exception as an unknown name.
            expect("provider 'availabilitythrows'", () -> Attention.forward(r, "availabilitythrows"));
        }
        expect("providers", () -> ProviderRegistry.of((AttentionProvider[]) null));
        expect("providers[1]", () -> ProviderRegistry.of(new ProbeProvider(), null));
        expect("provider", () -> ProviderRegistry.of().find(null));
    }

    @Test
    void providerInterfaceValues() {
        expect("reason", () -> Availability.unavailable(null));
        expect("note", () -> Availability.available(null));
        expect("reason", () -> Support.no(null));
        expect("other", () -> Support.yes().and(null));
        expect("dtypes", () -> Capabilities.builder().dtypes(null));
        expect("devices", () -> Capabilities.builder().devices(null));
        expect("masks", () -> Capabilities.builder().masks(null));
        expect("normalizers", () -> Capabilities.builder().normalizers(null));
        expect("headDims", () -> Capabilities.builder().headDims(java.util.Set.of(0)));
        expect("maxHeadDim", () -> Capabilities.builder().maxHeadDim(0));
        expect("backward dtypes", () -> Capabilities.builder().backward(null, java.util.Set.of(),
                java.util.Set.of()));
        expect("request", () -> Capabilities.everything().check(null));
        expect("provider", () -> AttentionResult.builder(null));
        expect("output", () -> AttentionResult.builder("x").build());
        try (Tensor x = Tensor.allocate(DType.FP32, 1)) {
            expect("provider", () -> new AttentionGradients(null, x, x, x));
            expect("dk", () -> new AttentionGradients("x", x, null, x));
        }
        expect("normalizer", () -> Normalizer.parse(null));
        expect("dtype", () -> DType.parse(null));
        expect("device", () -> Device.parse(null));
    }

    /** A storage whose bytes are a window of another's: it says so, and requests refuse it as a destination. */
    @Test
    void storagesThatSayTheyOverlapAreAliases() {
        try (Tensor q = Tensor.allocate(DType.FP32, 1, 1, 4, 8)) {
            TensorStorage view = new TensorStorage() {
                @Override
                public Device device() {
                    return Device.CPU;
                }

                @Override
                public long byteSize() {
                    return q.byteSize();
                }

                @Override
                public void read(long byteOffset, ByteBuffer dst) {
                    q.storage().read(byteOffset, dst);
                }

                @Override
                public void write(long byteOffset, ByteBuffer src) {
                    q.storage().write(byteOffset, src);
                }

                @Override
                public ByteBuffer hostBuffer() {
                    return q.hostBuffer();
                }

                @Override
                public void free() {
                }

                @Override
                public boolean overlaps(TensorStorage other) {
                    return other == this || other == q.storage();
                }
            };
            Tensor alias = Tensor.wrap(view, DType.FP32, 1, 1, 4, 8);
            Tensor k = Tensor.allocate(DType.FP32, 1, 1, 4, 8);
            expect("output", () -> AttentionRequest.builder(q, k, k).output(alias).build());
            expect("output", () -> AttentionRequest.builder(k, k, q).output(alias).build());
            expect("output", () -> AttentionRequest.builder(k, k, k).output(k).build());
            Tensor o = Tensor.allocate(DType.FP32, 1, 1, 4, 8);
            Tensor lseInO = Tensor.wrap(o.storage(), DType.FP32, 1, 1, 4);
            expect("lseOutput", () -> AttentionRequest.builder(k, k, k).output(o).lseOutput(lseInO).build());
            expect("lseOutput", () -> AttentionRequest.builder(k, k, k).lseOutput(Tensor.wrap(k.storage(),
                    DType.FP32, 1, 1, 4)).build());
            AttentionRequest.builder(k, k, k).output(alias).build(); // no input shares its memory
        }
    }
}
