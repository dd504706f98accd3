package org.attn4j;

import java.util.Arrays;
import java.util.Optional;
import org.attn4j.internal.Arguments;

/**
 * A backward pass: the forward request, its output O (and LSE, when the forward returned it), and the gradient of
 * the loss with respect to O. Dynamic selections (top-k) are recomputed from the same inputs and act as fixed masks:
 * no gradient flows through the choice itself.
 */
public final class BackwardRequest {
    private final AttentionRequest forward;
    private final Tensor output;
    private final Tensor lse;
    private final Tensor gradOutput;

    private BackwardRequest(AttentionRequest forward, Tensor output, Tensor lse, Tensor gradOutput) {
        this.forward = forward;
        this.output = output;
        this.lse = lse;
        this.gradOutput = gradOutput;
    }

    /**
     * Validates and builds.
     *
     * @param forward    the forward request (its tensors must still be open)
     * @param output     O from the forward pass, {@code [B, Hq, Nq, Dv]}
     * @param lse        LSE from the forward pass, or {@code null}
     * @param gradOutput dL/dO, {@code [B, Hq, Nq, Dv]}
     * @throws IllegalArgumentException naming the invalid field
     */
    public static BackwardRequest of(AttentionRequest forward, Tensor output, Tensor lse, Tensor gradOutput) {
        Arguments.notNull(forward, "forward", "the forward pass's AttentionRequest");
        forward.checkTensorsOpen();
        int[] oShape = {forward.batch(), forward.queryHeads(), forward.queryLength(), forward.valueDim()};
        check("output", output, oShape, forward.device());
        check("gradOutput", gradOutput, oShape, forward.device());
        if (lse != null) {
            check("lse", lse, new int[] {oShape[0], oShape[1], oShape[2]}, forward.device());
            if (lse.dtype() != DType.FP32) {
                throw new IllegalArgumentException("lse.dtype: expected fp32, got " + lse.dtype());
            }
        }
        return new BackwardRequest(forward, output, lse, gradOutput);
    }

    /** The backward pass of a forward call's result. */
    public static BackwardRequest of(AttentionRequest forward, AttentionResult result, Tensor gradOutput) {
        Arguments.notNull(result, "result", "the forward pass's AttentionResult");
        return of(forward, result.output(), result.lse().orElse(null), gradOutput);
    }

    public AttentionRequest forward() {
        return forward;
    }

    public Tensor output() {
        return output;
    }

    public Optional<Tensor> lse() {
        return Optional.ofNullable(lse);
    }

    public Tensor gradOutput() {
        return gradOutput;
    }

    /**
     * Throws an IllegalArgumentException naming any tensor of this request whose memory is gone (closed, and not
     * held by a running call), as {@link AttentionRequest#checkTensorsOpen()} does.
     */
    public void checkTensorsOpen() {
        String[] names = tensorNames();
        Tensor[] ts = tensors();
        for (int t = 0; t < ts.length; t++) {
            if (ts[t] != null && ts[t].isFreed()) {
                throw new IllegalArgumentException(names[t] + ": tensor is closed");
            }
        }
    }

    /** The tensors the backward pass reads, for leases and checks; {@link #tensorNames()} names them. */
    Tensor[] tensors() {
        return new Tensor[] {forward.q(), forward.k(), forward.v(), output, lse, gradOutput};
    }

    /** The fields of {@link #tensors()}, in order. */
    static String[] tensorNames() {
        return new String[] {"q", "k", "v", "output", "lse", "gradOutput"};
    }

    private static void check(String field, Tensor t, int[] shape, Device device) {
        if (t == null) {
            throw new IllegalArgumentException(field + ": expected a tensor, got null");
        }
        if (t.isClosed()) {
            throw new IllegalArgumentException(field + ": tensor is closed");
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(field + ".shape: expected " + Arrays.toString(shape) + ", got "
                    + Arrays.toString(t.shape()));
        }
        if (!t.device().equals(device)) {
            throw new IllegalArgumentException(field + ".device: expected " + device + ", got " + t.device());
        }
    }
}
