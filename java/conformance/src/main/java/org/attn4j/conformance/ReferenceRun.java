package org.attn4j.conformance;

import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.mask.StaticMask;
import org.attn4j.reference.ReferenceProvider;

/**
 * What the {@code reference} provider computes for a scenario. It runs on fp32 host tensors holding the scenario's
 * values, which are already rounded to the scenario's type: the same inputs the provider sees, with no rounding of
 * the expected outputs beyond fp32.
 */
final class ReferenceRun {
    private static final ReferenceProvider REFERENCE = new ReferenceProvider();

    final AttentionRequest request;
    final AttentionResult result;
    final float[] o;
    /** Natural-log LSE for softmax, else null. */
    final float[] lse;
    final float[] probabilities;
    /** Rows (flat over B, Hq, Nq) with no allowed key. */
    final boolean[] emptyRows;
    final int emptyRowCount;
    final long allowedPairs;
    final StaticMask staticMask;

    private ReferenceRun(AttentionRequest request, AttentionResult result, int keyLength) {
        this.request = request;
        this.result = result;
        this.o = result.output().toFloatArray();
        this.lse = result.lse().map(Tensor::toFloatArray).orElse(null);
        this.probabilities = result.probabilities().orElseThrow().toFloatArray();
        int rows = probabilities.length / keyLength;
        this.emptyRows = new boolean[rows];
        int empty = 0;
        for (int row = 0; row < rows; row++) {
            boolean none = true;
            for (int j = 0; j < keyLength && none; j++) {
                none = probabilities[row * keyLength + j] == 0;
            }
            emptyRows[row] = none;
            empty += none ? 1 : 0;
        }
        this.emptyRowCount = empty;
        this.allowedPairs = result.allowedPairs().orElse(-1);
        this.staticMask = StaticMask.of(request);
    }

    static ReferenceRun forward(Scenario s, ScenarioData data, TensorScope scope) {
        Tensor q = scope.host(DType.FP32, data.q, s.qShape());
        Tensor k = scope.host(DType.FP32, data.k, s.kShape());
        Tensor v = scope.host(DType.FP32, data.v, s.vShape());
        AttentionRequest r = s.configure(AttentionRequest.builder(q, k, v), data.blockMask)
                .returnLse(s.normalizer == Normalizer.SOFTMAX).returnProbabilities(true).build();
        return new ReferenceRun(r, scope.track(REFERENCE.forward(r)), s.keyLength);
    }

    /** dQ, dK, dV of the reference for {@code gradOutput}. */
    float[][] gradients(float[] gradOutput, Scenario s, TensorScope scope) {
        Tensor dO = scope.host(DType.FP32, gradOutput, s.oShape());
        AttentionGradients g = scope.track(REFERENCE.backward(BackwardRequest.of(request, result, dO)));
        return new float[][] {g.dq().toFloatArray(), g.dk().toFloatArray(), g.dv().toFloatArray()};
    }
}
