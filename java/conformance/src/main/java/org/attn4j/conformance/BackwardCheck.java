package org.attn4j.conformance;

import java.util.Arrays;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.spi.AttentionProvider;

/**
 * One backward case: the provider runs its own forward pass (with LSE for softmax, as training does), then its
 * backward pass for a random dO; dQ, dK and dV are held to the reference's gradients for the same inputs, the error
 * measured against the gradient's scale ({@link GradientScale}).
 */
final class BackwardCheck {
    private BackwardCheck() {
    }

    static void run(Scenario s, AttentionProvider p, ConformanceOptions options, Findings f) {
        Preconditions.requireAvailable(p);
        ScenarioData data = ScenarioData.draw(s);
        try (TensorScope scope = new TensorScope(options.placement())) {
            Tensor q = scope.placed(s.dtype, data.q, s.qShape());
            Tensor k = scope.placed(s.dtype, data.k, s.kShape());
            Tensor v = scope.placed(s.dtype, data.v, s.vShape());
            AttentionRequest r = s.configure(AttentionRequest.builder(q, k, v), data.blockMask)
                    .returnLse(s.normalizer == Normalizer.SOFTMAX).build();
            Preconditions.requireSupported(p.supportsBackward(r), p, options);

            ReferenceRun ref = ReferenceRun.forward(s, data, scope);
            float[][] expected = ref.gradients(data.gradOutput, s, scope);
            float[][] magnitude = GradientScale.of(s, data, ref.probabilities, r.scale());

            AttentionResult res = scope.track(p.forward(r));
            if (res == null) {
                f.fail("forward returned null");
                return;
            }
            Tensor dO = scope.placed(s.dtype, data.gradOutput, s.oShape());
            AttentionGradients g = scope.track(p.backward(BackwardRequest.of(r, res, dO)));
            if (g == null) {
                f.fail("backward returned null");
                return;
            }
            double tol = options.tolerances().backward(s.dtype);
            compare("dQ", g.dq(), q, expected[0], magnitude[0], tol, f);
            compare("dK", g.dk(), k, expected[1], magnitude[1], tol, f);
            compare("dV", g.dv(), v, expected[2], magnitude[2], tol, f);
        }
    }

    private static void compare(String name, Tensor grad, Tensor input, float[] expected, float[] magnitude,
                                double tol, Findings f) {
        if (grad == null) {
            f.fail(name + " is null");
            return;
        }
        if (!Arrays.equals(grad.shape(), input.shape())) {
            f.fail(name + ".shape: expected " + Arrays.toString(input.shape()) + ", got "
                    + Arrays.toString(grad.shape()));
            return;
        }
        if (grad.dtype() != input.dtype()) {
            f.fail(name + ".dtype: expected " + input.dtype() + " (the input type), got " + grad.dtype());
        }
        float[] x = grad.toFloatArray();
        int bad = Comparisons.firstNonFinite(x);
        if (bad >= 0) {
            f.fail(name + Comparisons.index(bad, input.shape()) + " = " + x[bad] + " (never NaN or infinite)");
        }
        f.error(name, Comparisons.scaledError(x, expected, magnitude), tol);
    }
}
