package org.attn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.Tensor;

/** Runs a scenario on {@code cpu} and {@code reference} and checks that they agree within the SPEC's tolerances. */
final class Comparison {
    private Comparison() {
    }

    static void forward(Scenario s) {
        try (Scenario.Inputs in = s.inputs()) {
            forward(in.request, s.toString());
        }
    }

    static void forward(AttentionRequest r, String context) {
        double tol = Fixtures.forwardTolerance(r.dtype());
        try (AttentionResult actual = Fixtures.CPU.forward(r); AttentionResult expected = Fixtures.REFERENCE.forward(r)) {
            assertEquals("cpu", actual.provider());
            assertNoNaN(actual.output(), context);
            Fixtures.assertClose("O", actual.output(), expected.output(), tol, context);
            assertEquals(expected.allowedPairs(), actual.allowedPairs(), "allowedPairs for " + context);
            assertEquals(r.returnLse(), actual.lse().isPresent(), "lse presence");
            if (r.returnLse()) {
                Fixtures.assertLseClose(actual.lse().get(), expected.lse().get(), tol, context);
            }
            assertEquals(r.returnProbabilities(), actual.probabilities().isPresent(), "probabilities presence");
            if (r.returnProbabilities()) {
                Fixtures.assertClose("probabilities", actual.probabilities().get(), expected.probabilities().get(),
                        tol, context);
            }
        }
    }

    static void backward(Scenario s) {
        try (Scenario.Inputs in = s.inputs(); Tensor gradO = in.gradOutput()) {
            backward(in.request, gradO, s.toString());
        }
    }

    /** Backward of cpu against reference, each from its own forward output. */
    static void backward(AttentionRequest r, Tensor gradO, String context) {
        double tol = Fixtures.backwardTolerance(r.dtype());
        try (AttentionResult fa = Fixtures.CPU.forward(r); AttentionResult fe = Fixtures.REFERENCE.forward(r);
             AttentionGradients a = Fixtures.CPU.backward(BackwardRequest.of(r, fa, gradO));
             AttentionGradients e = Fixtures.REFERENCE.backward(BackwardRequest.of(r, fe, gradO))) {
            assertEquals("cpu", a.provider());
            assertTrue(java.util.Arrays.equals(r.q().shape(), a.dq().shape()), "dq shape");
            assertEquals(r.dtype(), a.dq().dtype(), "dq dtype");
            Fixtures.assertClose("dQ", a.dq(), e.dq(), tol, context);
            Fixtures.assertClose("dK", a.dk(), e.dk(), tol, context);
            Fixtures.assertClose("dV", a.dv(), e.dv(), tol, context);
        }
    }

    static void assertNoNaN(Tensor t, String context) {
        for (float x : t.toFloatArray()) {
            assertFalse(Float.isNaN(x), "NaN in output for " + context);
        }
    }
}
