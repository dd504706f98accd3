package org.attn4j.model.encdec;

import java.util.function.UnaryOperator;
import org.attn4j.Attention;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;

/**
 * One attention layer's calls to the providers: {@code O = attention(Q, K, V)} through {@link Attention#forward} and
 * its gradients through {@link Attention#backward}, with heads laid out {@code [B, H, N, Dh]} in plain arrays. The
 * provider-side tensors are kept while the shape stays the same (training reuses them every step); the forward
 * result is kept for the backward pass.
 */
final class ProviderAttention implements AutoCloseable {
    private Tensor q;
    private Tensor k;
    private Tensor v;
    private Tensor o;
    private Tensor dO;
    private AttentionRequest request;
    private AttentionResult result;
    /** Pairs the last forward call attended, or -1 if the provider did not say. */
    long allowedPairs;
    /** The provider of the last forward call. */
    String provider;
    /** Attention probabilities {@code [B, H, Nq, Nk]} of the last forward call, when asked for. */
    float[] probabilities;

    /**
     * Writes {@code out [B, H, Nq, Dh]}.
     *
     * @param masks sets the masks on the request
     * @param keep  keep the result for {@link #backward}
     */
    void forward(float[] qh, float[] kh, float[] vh, int batch, int heads, int nq, int nk, int dh,
                 Normalizer normalizer, UnaryOperator<AttentionRequest.Builder> masks, boolean keep, boolean capture,
                 float[] out) {
        shape(batch, heads, nq, nk, dh);
        q.copyFrom(qh);
        k.copyFrom(kh);
        v.copyFrom(vh);
        releaseResult();
        AttentionRequest.Builder b = AttentionRequest.builder(q, k, v).normalizer(normalizer).output(o)
                .returnProbabilities(capture).returnLse(keep && normalizer == Normalizer.SOFTMAX);
        request = masks.apply(b).build();
        AttentionResult r = Attention.forward(request);
        try {
            allowedPairs = r.allowedPairs().orElse(-1);
            provider = r.provider();
            probabilities = capture ? r.probabilities().orElseThrow(() -> new IllegalStateException("provider '"
                    + r.provider() + "' returned no probabilities although they were requested")).toFloatArray()
                    : null;
            o.copyTo(out, 0, 0, out.length);
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
        if (keep) {
            result = r;
        } else {
            r.close();
        }
    }

    /** Gradients of the last kept forward call: {@code dq, dk, dv} from {@code dOut}, all {@code [B, H, N, Dh]}. */
    void backward(float[] dOut, float[] dq, float[] dk, float[] dv) {
        if (result == null) {
            throw new IllegalStateException("backward without a forward pass kept for it");
        }
        dO.copyFrom(dOut);
        try (AttentionGradients g = Attention.backward(request, result, dO)) {
            g.dq().copyTo(dq, 0, 0, dq.length);
            g.dk().copyTo(dk, 0, 0, dk.length);
            g.dv().copyTo(dv, 0, 0, dv.length);
        } finally {
            releaseResult();
        }
    }

    private void shape(int batch, int heads, int nq, int nk, int dh) {
        if (q != null && q.dim(0) == batch && q.dim(1) == heads && q.dim(2) == nq && k.dim(2) == nk
                && q.dim(3) == dh) {
            return;
        }
        closeTensors();
        q = Tensor.allocate(DType.FP32, batch, heads, nq, dh);
        k = Tensor.allocate(DType.FP32, batch, heads, nk, dh);
        v = Tensor.allocate(DType.FP32, batch, heads, nk, dh);
        o = Tensor.allocate(DType.FP32, batch, heads, nq, dh);
        dO = Tensor.allocate(DType.FP32, batch, heads, nq, dh);
    }

    private void releaseResult() {
        if (result != null) {
            result.close();
            result = null;
        }
    }

    private void closeTensors() {
        releaseResult();
        for (Tensor t : new Tensor[] {q, k, v, o, dO}) {
            if (t != null) {
                t.close();
            }
        }
        q = k = v = o = dO = null;
    }

    @Override
    public void close() {
        closeTensors();
    }
}
