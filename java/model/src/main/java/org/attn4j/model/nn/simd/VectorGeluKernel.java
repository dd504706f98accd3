package org.attn4j.model.nn.simd;

import static org.attn4j.model.nn.simd.PlainGeluKernel.A;
import static org.attn4j.model.nn.simd.PlainGeluKernel.C;
import static org.attn4j.model.nn.simd.PlainGeluKernel.LIMIT;
import static org.attn4j.model.nn.simd.PlainGeluKernel.LN2_HI;
import static org.attn4j.model.nn.simd.PlainGeluKernel.LN2_LO;
import static org.attn4j.model.nn.simd.PlainGeluKernel.LOG2E;
import static org.attn4j.model.nn.simd.PlainGeluKernel.ROUND;
import static org.attn4j.model.nn.simd.PlainGeluKernel.ROUND_BITS;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link PlainGeluKernel}'s recipe on the Vector API, one vector of elements at a time (the tail through the plain
 * kernel): the same float operations in the same order, so the same bits, at a fraction of the time of a scalar
 * exponential per element.
 */
public final class VectorGeluKernel implements GeluKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final PlainGeluKernel TAIL = new PlainGeluKernel();
    private static final float[] HORNER = {PlainGeluKernel.T7, PlainGeluKernel.T6, PlainGeluKernel.T5,
        PlainGeluKernel.T4, PlainGeluKernel.T3, PlainGeluKernel.T2, PlainGeluKernel.T1, PlainGeluKernel.T0};

    /** Refuses a machine whose preferred float vector has fewer than 4 lanes (the Vector API would run in Java). */
    public VectorGeluKernel() {
        if (L < 4) {
            throw new UnsupportedOperationException("the preferred float vector has " + L + " lanes; expected >= 4");
        }
    }

    @Override
    public void forward(float[] x, float[] y, float[] slope, int lo, int hi) {
        int i = lo;
        for (; i + L <= hi; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            FloatVector t = tanhArgument(v);
            FloatVector onePlusT = t.add(1f);
            v.mul(0.5f).mul(onePlusT).intoArray(y, i);
            if (slope != null) {
                slope(v, t, onePlusT).intoArray(slope, i);
            }
        }
        TAIL.forward(x, y, slope, i, hi);
    }

    @Override
    public void backward(float[] x, float[] dy, float[] dx, int lo, int hi) {
        int i = lo;
        for (; i + L <= hi; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            FloatVector t = tanhArgument(v);
            FloatVector.fromArray(S, dy, i).mul(slope(v, t, t.add(1f))).intoArray(dx, i);
        }
        TAIL.backward(x, dy, dx, i, hi);
    }

    /** {@code tanh(C * (v + A * v * v * v))}, as {@link PlainGeluKernel#tanh} orders it. */
    private static FloatVector tanhArgument(FloatVector v) {
        FloatVector u = v.mul(A).mul(v).mul(v).add(v).mul(C);
        FloatVector e = exp(u.min(LIMIT).max(-LIMIT).mul(2f));
        return e.sub(1f).div(e.add(1f));
    }

    /** {@code 0.5 (1 + t) + 0.5 v (1 - t t) C (1 + 3 A v v)}, left to right as the plain kernel writes it. */
    private static FloatVector slope(FloatVector v, FloatVector t, FloatVector onePlusT) {
        FloatVector oneMinusT2 = FloatVector.broadcast(S, 1f).sub(t.mul(t));
        FloatVector cubic = v.mul(3f * A).mul(v).add(1f);
        return onePlusT.mul(0.5f).add(v.mul(0.5f).mul(oneMinusT2).mul(C).mul(cubic));
    }

    private static FloatVector exp(FloatVector z) {
        FloatVector shifted = z.mul(LOG2E).add(ROUND);
        FloatVector n = shifted.sub(ROUND);
        FloatVector f = z.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
        // A loop, not one long expression: the method must stay small enough to inline, or its vectors get boxed.
        FloatVector p = FloatVector.broadcast(S, HORNER[0]);
        for (int j = 1; j < HORNER.length; j++) {
            p = p.mul(f).add(HORNER[j]);
        }
        IntVector bits = shifted.reinterpretAsInts().add(127 - ROUND_BITS).lanewise(VectorOperators.LSHL, 23);
        return p.mul(bits.reinterpretAsFloats());
    }
}
