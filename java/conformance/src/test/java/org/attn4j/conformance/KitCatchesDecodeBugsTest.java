package org.attn4j.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.Tensor;
import org.attn4j.decode.DecodeCapabilities;
import org.attn4j.decode.DecodeRequest;
import org.attn4j.decode.HostKvCache;
import org.attn4j.decode.KvCache;
import org.attn4j.decode.KvCacheConfig;
import org.attn4j.reference.ReferenceProvider;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Capabilities;
import org.attn4j.spi.DecodeProvider;
import org.junit.jupiter.api.Test;

/**
 * The kit's decode cases can fail: each test plants one bug in a native decode path (or a cache) built on the
 * reference, and checks that the kit reports failures, only in cases that exercise the bug.
 */
class KitCatchesDecodeBugsTest {
    private static final ReferenceProvider REFERENCE = new ReferenceProvider();

    @Test
    void keepingOneBlockTooMany() {
        caught(new BrokenDecoder("topk-plus-one", r -> r.blockTopK().isEmpty() ? r
                : r.toBuilder().topKBlocks(r.blockTopK().getAsInt() + 1).build(), false),
                n -> n.contains("topKBlocks"));
    }

    @Test
    void ignoringTheWindow() {
        caught(new BrokenDecoder("no-window", KitCatchesDecodeBugsTest::withoutWindow, false),
                n -> n.contains("window("));
    }

    @Test
    void choosingPerHeadWhenAskedPerGroup() {
        caught(new BrokenDecoder("per-head-not-group", r -> !r.blockTopKPerGroup() ? r
                : r.toBuilder().topKBlocks(r.blockTopK().getAsInt()).build(), false),
                n -> n.contains("per group"));
    }

    @Test
    void blockSumsInFloat() {
        caught(new BrokenDecoder("float-sums", r -> r, true), n -> n.contains("block sums"));
    }

    private static DecodeRequest withoutWindow(DecodeRequest r) {
        if (r.window().isEmpty()) {
            return r;
        }
        DecodeRequest.Builder b = DecodeRequest.builder(r.q(), r.cache()).scale(r.scale())
                .normalizer(r.normalizer()).returnLse(r.returnLse()).outputDType(r.outputDType());
        r.blockMask().ifPresent(b::blockMask);
        r.blockTopK().ifPresent(b::topKBlocks);
        r.tokenTopK().ifPresent(b::topKTokens);
        r.output().ifPresent(b::output);
        r.lseOutput().ifPresent(b::lseOutput);
        return b.build();
    }

    private static void caught(AttentionProvider p, Predicate<String> exercised) {
        ConformanceOptions o = ConformanceOptions.defaultsFor(p).withRequireRegistration(false);
        List<ConformanceCase> cases = ConformanceKit.cases(p, o, CaseCategory.KV_CACHE);
        ConformanceReport report = ConformanceKit.run(p, cases);
        assertTrue(report.failed() > 0, () -> "the kit did not catch '" + p.name() + "':\n" + report.summary());
        for (CaseResult r : report.failures()) {
            assertTrue(exercised.test(r.name()), () -> "'" + p.name() + "' failed a case that does not exercise"
                    + " its bug: " + r);
        }
    }

    /** The reference's decode with a rewritten request, on its own caches (optionally summing blocks in float). */
    private static final class BrokenDecoder implements AttentionProvider, DecodeProvider {
        private final String name;
        private final UnaryOperator<DecodeRequest> rewrite;
        private final boolean floatSums;

        BrokenDecoder(String name, UnaryOperator<DecodeRequest> rewrite, boolean floatSums) {
            this.name = name;
            this.rewrite = rewrite;
            this.floatSums = floatSums;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int priority() {
            return 0;
        }

        @Override
        public Availability availability() {
            return Availability.available("test");
        }

        @Override
        public Capabilities capabilities() {
            return REFERENCE.capabilities();
        }

        @Override
        public AttentionResult forward(AttentionRequest request) {
            return REFERENCE.forward(request);
        }

        @Override
        public AttentionGradients backward(BackwardRequest request) {
            return REFERENCE.backward(request);
        }

        @Override
        public DecodeCapabilities decodeCapabilities() {
            return DecodeCapabilities.everything();
        }

        @Override
        public KvCache newCache(KvCacheConfig config) {
            return floatSums ? new FloatSumCache(config, name) : new HostKvCache(config, name);
        }

        @Override
        public AttentionResult decode(DecodeRequest r) {
            return REFERENCE.decode(rewrite.apply(r));
        }
    }

    /** A cache that holds rows correctly but sums its blocks in float. */
    private static final class FloatSumCache extends KvCache {
        private final HostKvCache rows;

        FloatSumCache(KvCacheConfig config, String provider) {
            super(config, provider);
            rows = new HostKvCache(config, provider);
        }

        @Override
        protected void reserve(int newCapacity) {
        }

        @Override
        protected void store(Tensor k, Tensor v, int[] counts, int[] from) {
            rows.append(k, v, counts);
        }

        @Override
        protected void readKeys(int sequence, int kvHead, int length, float[] dst, int offset) {
            System.arraycopy(rows.keys(sequence), kvHead * length * headDim(), dst, offset, length * headDim());
        }

        @Override
        protected void readValues(int sequence, int kvHead, int length, float[] dst, int offset) {
            System.arraycopy(rows.values(sequence), kvHead * length * valueDim(), dst, offset, length * valueDim());
        }

        @Override
        protected void readBlockKeySums(int sequence, int kvHead, int blocks, double[] dst, int offset) {
            int length = rows.length(sequence);
            float[] keys = rows.keys(sequence);
            int d = headDim();
            for (int kb = 0; kb < blocks; kb++) {
                for (int c = 0; c < d; c++) {
                    float sum = 0;
                    for (int j = kb * blockSize(); j < Math.min(length, (kb + 1) * blockSize()); j++) {
                        sum += keys[(kvHead * length + j) * d + c];
                    }
                    dst[offset + kb * d + c] = sum;
                }
            }
        }

        @Override
        protected void free() {
            rows.close();
        }
    }
}
