package org.attn4j.conformance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.spi.AttentionProvider;

/**
 * One forward case: the provider's O (and LSE, probabilities, caller-provided outputs when the scenario asks) against
 * the reference's, plus the SPEC's exact rules: no NaN or infinity in O, O = 0 and LSE = -inf in rows with no allowed
 * key, probabilities exactly 0 where a static mask forbids the pair, and the count of allowed pairs when the
 * provider reports one.
 */
final class ForwardCheck {
    private ForwardCheck() {
    }

    static void run(Scenario s, AttentionProvider p, ConformanceOptions options, Findings f) {
        Preconditions.requireAvailable(p);
        ScenarioData data = ScenarioData.draw(s);
        try (TensorScope scope = new TensorScope(options.placement())) {
            Tensor q = scope.placed(s.dtype, data.q, s.qShape());
            Tensor k = scope.placed(s.dtype, data.k, s.kShape());
            Tensor v = scope.placed(s.dtype, data.v, s.vShape());
            AttentionRequest.Builder b = s.configure(AttentionRequest.builder(q, k, v), data.blockMask)
                    .returnLse(s.lse).returnProbabilities(s.probabilities);
            if (s.outputDType != null) {
                b.outputDType(s.outputDType);
            }
            DType outType = s.outputDType != null ? s.outputDType : s.dtype;
            Tensor callerO = null;
            if (s.callerOutput) {
                // NaN-filled, so that rows the provider forgets to write show up.
                callerO = scope.placed(outType, nans(ScenarioData.size(s.oShape())), s.oShape());
                b.output(callerO);
            }
            Tensor callerLse = null;
            if (s.callerLse) {
                callerLse = scope.placed(DType.FP32, nans(ScenarioData.size(s.lseShape())), s.lseShape());
                b.lseOutput(callerLse);
            }
            AttentionRequest r = b.build();
            Preconditions.requireSupported(p.supports(r), p, options);
            ReferenceRun ref = ReferenceRun.forward(s, data, scope);
            AttentionResult res = scope.track(p.forward(r));
            check(s, r, res, ref, callerO, callerLse, options.tolerances(), f);
        }
    }

    static void check(Scenario s, AttentionRequest r, AttentionResult res, ReferenceRun ref, Tensor callerO,
                      Tensor callerLse, Tolerances tolerances, Findings f) {
        double tol = tolerances.forward(s.dtype);
        // O stored in a narrower type than the inputs carries that type's rounding.
        double outputTol = Math.max(tol, tolerances.forward(r.outputDType()));
        if (res == null) {
            f.fail("forward returned null");
            return;
        }
        Tensor out = res.output();
        int[] oShape = s.oShape();
        if (!Arrays.equals(out.shape(), oShape)) {
            f.fail("O.shape: expected " + Arrays.toString(oShape) + ", got " + Arrays.toString(out.shape()));
            return;
        }
        if (out.dtype() != r.outputDType()) {
            f.fail("O.dtype: expected " + r.outputDType() + ", got " + out.dtype());
        }
        if (!out.device().equals(r.device())) {
            f.fail("O.device: expected " + r.device() + " (the inputs' device), got " + out.device());
        }
        if (callerO != null && out != callerO) {
            f.fail("result.output() is not the caller's output tensor");
        }
        float[] o = (callerO != null ? callerO : out).toFloatArray();
        int bad = Comparisons.firstNonFinite(o);
        if (bad >= 0) {
            f.fail("O" + Comparisons.index(bad, oShape) + " = " + o[bad] + " (never NaN or infinite)");
        }
        f.error("O", Comparisons.relativeError(o, ref.o), outputTol);
        checkEmptyRows(o, s.valueDim, ref, s.lseShape(), f);
        if (r.returnLse()) {
            checkLse(s, res, ref, callerLse, tol, f);
        }
        if (r.returnProbabilities()) {
            checkProbabilities(s, res, ref, tol, f);
        }
        if (res.allowedPairs().isPresent() && ref.allowedPairs >= 0
                && res.allowedPairs().getAsLong() != ref.allowedPairs) {
            f.fail("allowedPairs: expected " + ref.allowedPairs + " (the SPEC's P), got "
                    + res.allowedPairs().getAsLong());
        }
    }

    /** Rows with no allowed key must be exactly zero. */
    private static void checkEmptyRows(float[] o, int dv, ReferenceRun ref, int[] rowShape, Findings f) {
        List<String> wrong = new ArrayList<>();
        int count = 0;
        for (int row = 0; row < ref.emptyRows.length; row++) {
            if (!ref.emptyRows[row]) {
                continue;
            }
            for (int c = 0; c < dv; c++) {
                if (o[row * dv + c] != 0) {
                    if (wrong.size() < 3) {
                        wrong.add(Comparisons.index(row, rowShape) + " = " + o[row * dv + c]);
                    }
                    count++;
                    break;
                }
            }
        }
        if (count > 0) {
            f.fail(count + " of " + ref.emptyRowCount + " rows with no allowed key are not O = 0, e.g. row "
                    + String.join(", row ", wrong));
        }
    }

    private static void checkLse(Scenario s, AttentionResult res, ReferenceRun ref, Tensor callerLse, double tol,
                                 Findings f) {
        if (res.lse().isEmpty()) {
            f.fail("LSE was requested but the result has none");
            return;
        }
        Tensor lse = res.lse().get();
        if (callerLse != null && lse != callerLse) {
            f.fail("result.lse() is not the caller's LSE tensor");
        }
        Tensor read = callerLse != null ? callerLse : lse;
        if (!Arrays.equals(lse.shape(), s.lseShape())) {
            f.fail("LSE.shape: expected " + Arrays.toString(s.lseShape()) + ", got " + Arrays.toString(lse.shape()));
            return;
        }
        if (lse.dtype() != DType.FP32) {
            f.fail("LSE.dtype: expected fp32, got " + lse.dtype());
        }
        float[] l = read.toFloatArray();
        int n = l.length;
        float[] got = new float[n];
        float[] want = new float[n];
        int finite = 0;
        String firstWrong = null;
        int wrong = 0;
        for (int i = 0; i < n; i++) {
            boolean empty = ref.lse[i] == Float.NEGATIVE_INFINITY;
            boolean ok = empty ? l[i] == Float.NEGATIVE_INFINITY : Float.isFinite(l[i]);
            if (!ok) {
                wrong++;
                if (firstWrong == null) {
                    firstWrong = "LSE" + Comparisons.index(i, s.lseShape()) + " = " + l[i] + ", expected "
                            + (empty ? "-Infinity (no allowed key)" : "a finite value near " + ref.lse[i]);
                }
            } else if (!empty) {
                got[finite] = l[i];
                want[finite] = ref.lse[i];
                finite++;
            }
        }
        if (wrong > 0) {
            f.fail(wrong + " LSE values wrong, e.g. " + firstWrong);
        }
        f.error("LSE", Comparisons.relativeError(Arrays.copyOf(got, finite), Arrays.copyOf(want, finite)), tol);
    }

    private static void checkProbabilities(Scenario s, AttentionResult res, ReferenceRun ref, double tol,
                                           Findings f) {
        if (res.probabilities().isEmpty()) {
            f.fail("probabilities were requested but the result has none");
            return;
        }
        Tensor pt = res.probabilities().get();
        int[] shape = {s.batch, s.queryHeads, s.queryLength, s.keyLength};
        if (!Arrays.equals(pt.shape(), shape)) {
            f.fail("probabilities.shape: expected " + Arrays.toString(shape) + ", got "
                    + Arrays.toString(pt.shape()));
            return;
        }
        if (pt.dtype() != DType.FP32) {
            f.fail("probabilities.dtype: expected fp32, got " + pt.dtype());
        }
        float[] p = pt.toFloatArray();
        int bad = Comparisons.firstNonFinite(p);
        if (bad >= 0) {
            f.fail("probabilities" + Comparisons.index(bad, shape) + " = " + p[bad]);
        }
        int masked = 0;
        String first = null;
        for (int b = 0, idx = 0; b < s.batch; b++) {
            for (int h = 0; h < s.queryHeads; h++) {
                for (int i = 0; i < s.queryLength; i++) {
                    for (int j = 0; j < s.keyLength; j++, idx++) {
                        if (p[idx] != 0 && !ref.staticMask.allowed(b, h, i, j)) {
                            masked++;
                            if (first == null) {
                                first = Arrays.toString(new int[] {b, h, i, j}) + " = " + p[idx];
                            }
                        }
                    }
                }
            }
        }
        if (masked > 0) {
            f.fail(masked + " probabilities are not 0 where the masks forbid the pair, e.g. " + first);
        }
        f.error("probabilities", Comparisons.relativeError(p, ref.probabilities), tol);
    }

    private static float[] nans(int n) {
        float[] x = new float[n];
        Arrays.fill(x, Float.NaN);
        return x;
    }
}
