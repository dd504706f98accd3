package org.attn4j.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Predicate;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.HalfFloats;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.MaskKind;
import org.attn4j.mask.SlidingWindow;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Capabilities;
import org.junit.jupiter.api.Test;

/**
 * A kit that cannot fail is worthless: each test plants one bug in the reference and checks that the kit reports
 * failures, and only in cases whose configuration exercises the bug (so that a failure points at its cause).
 * To stay fast, each runs up to 30 of the cases that exercise the bug and every sixth of the others.
 */
class KitCatchesBugsTest {
    /** At most this many cases that exercise a bug are run (evenly spread over them), to keep the test fast. */
    private static final int MAX_EXERCISING = 30;

    @Test
    void ignoringCausal() {
        caught(new BrokenProvider("ignores-causal").rewritingRequest(r -> r.toBuilder().causal(false).build()),
                n -> n.contains(" causal"), CaseCategory.MASKS, CaseCategory.FULLY_MASKED, CaseCategory.DECODE);
    }

    @Test
    void topLeftCausalAlignment() {
        caught(new BrokenProvider("top-left-causal").rewritingRequest(KitCatchesBugsTest::topLeftCausal),
                n -> n.contains(" causal") && !sameLengths(n), CaseCategory.MASKS, CaseCategory.FULLY_MASKED,
                CaseCategory.ODD_SIZES);
    }

    @Test
    void droppingTheScale() {
        caught(new BrokenProvider("drops-scale").rewritingRequest(r -> r.toBuilder().scale(1.0).build()),
                n -> true, CaseCategory.SHAPES);
    }

    @Test
    void ignoringAnExplicitScale() {
        caught(new BrokenProvider("default-scale").rewritingRequest(
                r -> r.toBuilder().scale(1 / Math.sqrt(r.headDim())).build()),
                n -> n.contains("scale="), CaseCategory.SHAPES, CaseCategory.MASKS);
    }

    @Test
    void mappingQueryHeadsToTheWrongKeyValueHead() {
        caught(new BrokenProvider("gqa-modulo").rewritingRequest(KitCatchesBugsTest::moduloHeadMapping),
                n -> n.contains("GQA"), CaseCategory.SHAPES, CaseCategory.MASKS);
    }

    @Test
    void ignoringGlobalTokens() {
        caught(new BrokenProvider("no-global").rewritingRequest(r -> r.window().isEmpty() ? r : r.toBuilder()
                        .window(SlidingWindow.of(r.window().get().left(), r.window().get().right())).build()),
                n -> n.contains("global="), CaseCategory.MASKS);
    }

    @Test
    void ignoringTheBlockMask() {
        caught(new BrokenProvider("no-block-mask").rewritingRequest(r -> r.toBuilder().blockMask(null).build()),
                n -> n.contains("blockMask"), CaseCategory.MASKS, CaseCategory.FULLY_MASKED);
    }

    @Test
    void ignoringBlockTopK() {
        caught(new BrokenProvider("no-block-topk").rewritingRequest(r -> r.toBuilder().topKBlocks((org.attn4j.mask.BlockTopK) null).build()),
                n -> n.contains("topKBlocks"), CaseCategory.MASKS);
    }

    @Test
    void ignoringTokenTopK() {
        caught(new BrokenProvider("no-token-topk").rewritingRequest(r -> r.toBuilder().topKTokens((org.attn4j.mask.TokenTopK) null).build()),
                n -> n.contains("topKTokens"), CaseCategory.MASKS, CaseCategory.DECODE);
    }

    @Test
    void softmaxInPlaceOfSparsemaxAndEntmax() {
        caught(new BrokenProvider("softmax-only").rewritingRequest(
                r -> r.toBuilder().normalizer(Normalizer.SOFTMAX).build()),
                n -> n.contains("sparsemax") || n.contains("entmax15"), CaseCategory.MASKS);
    }

    @Test
    void sparsemaxInPlaceOfEntmax() {
        caught(new BrokenProvider("entmax-as-sparsemax").rewritingRequest(r -> r.normalizer() != Normalizer.ENTMAX15
                        ? r : r.toBuilder().normalizer(Normalizer.SPARSEMAX).build()),
                n -> n.contains("entmax15"), CaseCategory.MASKS, CaseCategory.DECODE);
    }

    @Test
    void nanInFullyMaskedRows() {
        caught(new BrokenProvider("nan-rows").rewritingResult((r, res) -> {
            float[] o = res.output().toFloatArray();
            int dv = r.valueDim();
            for (int row = 0; row < o.length / dv; row++) {
                if (allZero(o, row * dv, dv)) {
                    java.util.Arrays.fill(o, row * dv, (row + 1) * dv, Float.NaN);
                }
            }
            return BrokenProvider.withOutput(r, res, o);
        }), n -> true, CaseCategory.FULLY_MASKED);
    }

    @Test
    void zeroInsteadOfMinusInfinityForTheLseOfFullyMaskedRows() {
        caught(new BrokenProvider("lse-zero").rewritingResult((r, res) -> {
            if (res.lse().isEmpty()) {
                return res;
            }
            float[] lse = res.lse().get().toFloatArray();
            for (int i = 0; i < lse.length; i++) {
                lse[i] = lse[i] == Float.NEGATIVE_INFINITY ? 0 : lse[i];
            }
            return BrokenProvider.withLse(res, lse);
        }), n -> n.contains("+lse") || n.contains("+callerLse"), CaseCategory.FULLY_MASKED, CaseCategory.OUTPUTS);
    }

    @Test
    void lseInBaseTwo() {
        caught(new BrokenProvider("lse-log2").rewritingResult((r, res) -> {
            if (res.lse().isEmpty()) {
                return res;
            }
            float[] lse = res.lse().get().toFloatArray();
            for (int i = 0; i < lse.length; i++) {
                lse[i] = (float) (lse[i] / Math.log(2));
            }
            return BrokenProvider.withLse(res, lse);
        }), n -> n.contains("+lse") || n.contains("+callerLse"), CaseCategory.OUTPUTS, CaseCategory.DTYPES);
    }

    @Test
    void roundingFp32OutputsToBf16() {
        caught(new BrokenProvider("bf16-inside").rewritingResult((r, res) -> {
            float[] o = res.output().toFloatArray();
            for (int i = 0; i < o.length; i++) {
                o[i] = HalfFloats.bf16BitsToFloat(HalfFloats.floatToBf16Bits(o[i]));
            }
            return BrokenProvider.withOutput(r, res, o);
        }), n -> n.startsWith("fp32 "), CaseCategory.SHAPES);
    }

    @Test
    void returningOutputsOfTheInputTypeWhateverTheRequestedType() {
        caught(new BrokenProvider("ignores-output-type").rewritingRequest(
                r -> r.toBuilder().outputDType(r.dtype()).build()),
                n -> n.contains("->"), CaseCategory.DTYPES);
    }

    @Test
    void allocatingItsOwnOutputInsteadOfTheCallers() {
        caught(new BrokenProvider("own-output").rewritingRequest(r -> r.toBuilder().output(null).build()),
                n -> n.contains("+callerOutput"), CaseCategory.OUTPUTS);
    }

    @Test
    void leavingFullyMaskedRowsOfTheCallersOutputUnwritten() {
        caught(new BrokenProvider("skips-empty-rows").rewritingResult((r, res) -> {
            if (r.output().isEmpty()) {
                return res;
            }
            // Writes only rows that have some allowed key, as a kernel that skips empty rows would.
            float[] o = res.output().toFloatArray();
            float[] garbage = new float[o.length];
            java.util.Arrays.fill(garbage, Float.NaN);
            int dv = r.valueDim();
            for (int row = 0; row < o.length / dv; row++) {
                if (!allZero(o, row * dv, dv)) {
                    System.arraycopy(o, row * dv, garbage, row * dv, dv);
                }
            }
            r.output().get().copyFrom(garbage);
            return res;
        }), n -> n.contains("+callerOutput"), CaseCategory.OUTPUTS);
    }

    @Test
    void nonZeroProbabilitiesWhereTheMaskForbidsThePair() {
        caught(new BrokenProvider("leaky-probabilities").rewritingResult((r, res) -> {
            if (res.probabilities().isEmpty()) {
                return res;
            }
            float[] p = res.probabilities().get().toFloatArray();
            for (int i = 0; i < p.length; i++) {
                p[i] = p[i] == 0 ? 1e-9f : p[i];
            }
            res.probabilities().get().copyFrom(p);
            return res;
        }), n -> n.contains("+probabilities"), CaseCategory.OUTPUTS);
    }

    @Test
    void miscountingAllowedPairs() {
        caught(new BrokenProvider("miscounts").rewritingResult((r, res) -> {
            AttentionResult.Builder b = AttentionResult.builder(res.provider())
                    .output(res.output(), r.output().isEmpty())
                    .allowedPairs(res.allowedPairs().orElse(0) + 1);
            res.lse().ifPresent(t -> b.lse(t, r.lseOutput().isEmpty()));
            res.probabilities().ifPresent(t -> b.probabilities(t, true));
            return b.build();
        }), n -> true, CaseCategory.SHAPES);
    }

    @Test
    void dqOffByOnePerMille() {
        caught(new BrokenProvider("dq-off").rewritingGradients(g -> new AttentionGradients(g.provider(),
                        BrokenProvider.scaled(g.dq(), 1.001f), g.dk(), g.dv())),
                n -> n.startsWith("fp32 "), CaseCategory.BACKWARD);
    }

    @Test
    void acceptingAnUndeclaredDtypeSilently() {
        caught(new BrokenProvider("fp32-only-unchecked").declares(BrokenProvider.only(DType.FP32))
                        .withoutValidation(),
                n -> n.contains("inputs, which the provider does not declare"), CaseCategory.ERRORS);
    }

    @Test
    void acceptingAnUndeclaredMaskSilently() {
        EnumSet<MaskKind> masks = EnumSet.allOf(MaskKind.class);
        masks.remove(MaskKind.BLOCK_MASK);
        Capabilities all = Capabilities.everything();
        Capabilities caps = Capabilities.builder().dtypes(all.dtypes()).masks(masks).normalizers(all.normalizers())
                .probabilities(true).backward(all.backwardDtypes(), masks, all.backwardNormalizers()).build();
        caught(new BrokenProvider("no-block-mask-unchecked").declares(caps).withoutValidation(),
                n -> n.contains("mask 'block mask'"), CaseCategory.ERRORS);
    }

    @Test
    void refusingAnUndeclaredDtypeWithTheWrongException() {
        caught(new BrokenProvider("unsupported-operation").declares(BrokenProvider.only(DType.FP32))
                        .withoutValidation().rewritingRequest(r -> {
                            if (r.dtype() != DType.FP32) {
                                throw new UnsupportedOperationException("only fp32");
                            }
                            return r;
                        }),
                n -> n.contains("inputs, which the provider does not declare"), CaseCategory.ERRORS);
    }

    @Test
    void refusingWithAMessageThatNamesNoField() {
        caught(new BrokenProvider("vague").declares(BrokenProvider.only(DType.FP32)).withoutValidation()
                        .rewritingRequest(r -> {
                            if (r.dtype() != DType.FP32) {
                                throw new IllegalArgumentException("not supported");
                            }
                            return r;
                        }),
                n -> n.contains("inputs, which the provider does not declare"), CaseCategory.ERRORS);
    }

    @Test
    void readingAClosedTensorWithoutCheckingFirst() {
        caught(new BrokenProvider("reads-closed").withoutValidation().rewritingRequest(r -> {
            r.q().toFloatArray(); // IllegalStateException on a closed tensor, not IllegalArgumentException
            return r;
        }), n -> n.startsWith("q closed after"), CaseCategory.ERRORS);
    }

    // ---- the bugs ----

    /** Causal with i' = i instead of i + Nk - Nq, as a 1x1 block mask intersected with any block mask. */
    private static AttentionRequest topLeftCausal(AttentionRequest r) {
        if (!r.causal() || r.queryLength() == r.keyLength()) {
            return r;
        }
        BlockMask existing = r.blockMask().orElse(null);
        BlockMask topLeft = BlockMask.fromFunction(r.batch(), r.queryHeads(), r.queryLength(), r.keyLength(), 1, 1,
                (b, h, i, j) -> j <= i
                        && (existing == null || existing.get(b, h, i / existing.blockQ(), j / existing.blockK())));
        return r.toBuilder().causal(false).blockMask(topLeft).build();
    }

    /** Query head h reads key/value head h % Hkv instead of h / (Hq / Hkv). */
    private static AttentionRequest moduloHeadMapping(AttentionRequest r) {
        if (r.groupSize() == 1 || r.kvHeads() == 1) {
            return r;
        }
        return r.toBuilder().tensors(r.q(), expand(r.k(), r.queryHeads()), expand(r.v(), r.queryHeads())).build();
    }

    private static Tensor expand(Tensor kv, int queryHeads) {
        int[] s = kv.shape();
        float[] src = kv.toFloatArray();
        int row = s[2] * s[3];
        float[] dst = new float[s[0] * queryHeads * row];
        for (int b = 0; b < s[0]; b++) {
            for (int h = 0; h < queryHeads; h++) {
                System.arraycopy(src, (b * s[1] + h % s[1]) * row, dst, (b * queryHeads + h) * row, row);
            }
        }
        return Tensor.of(kv.dtype(), dst, s[0], queryHeads, s[2], s[3]);
    }

    // ---- helpers ----

    private static boolean allZero(float[] x, int from, int n) {
        for (int i = from; i < from + n; i++) {
            if (x[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameLengths(String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Nq=(\\d+) Nk=(\\d+)").matcher(name);
        return m.find() && m.group(1).equals(m.group(2));
    }

    /**
     * Runs up to {@link #MAX_EXERCISING} cases of {@code categories} that {@code exercised} selects, and every sixth
     * of the others, then
     * asserts that some case failed and that every failure is one that exercises the bug.
     */
    private static void caught(AttentionProvider p, Predicate<String> exercised, CaseCategory... categories) {
        ConformanceOptions o = ConformanceOptions.defaultsFor(p).withRequireRegistration(false);
        List<ConformanceCase> hits = new ArrayList<>();
        List<ConformanceCase> chosen = new ArrayList<>();
        int others = 0;
        for (CaseCategory c : categories) {
            for (ConformanceCase k : ConformanceKit.cases(p, o, c)) {
                if (exercised.test(k.name())) {
                    hits.add(k);
                } else if (others++ % 6 == 0) {
                    chosen.add(k);
                }
            }
        }
        int stride = (hits.size() + MAX_EXERCISING - 1) / MAX_EXERCISING;
        for (int i = 0; i < hits.size(); i += stride) {
            chosen.add(hits.get(i));
        }
        ConformanceReport report = ConformanceKit.run(p, chosen);
        long exercisedCount = chosen.stream().filter(k -> exercised.test(k.name())).count();
        System.out.printf("bug '%s': %d of %d exercising cases failed (%d cases run, %d skipped)%n", p.name(),
                report.failed(), exercisedCount, chosen.size(), report.skipped());
        assertTrue(report.failed() > 0, () -> "the kit did not catch '" + p.name() + "':\n" + report.summary());
        for (CaseResult r : report.failures()) {
            assertTrue(exercised.test(r.name()), () -> "'" + p.name() + "' failed a case that does not exercise"
                    + " its bug: " + r);
        }
    }
}
