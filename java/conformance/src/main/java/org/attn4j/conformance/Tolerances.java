package org.attn4j.conformance;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import org.attn4j.DType;
import org.attn4j.Device;
import org.attn4j.spi.AttentionProvider;

/**
 * How far a provider may stray from the reference, per input type, for the forward outputs (O, LSE, probabilities)
 * and for the gradients.
 *
 * <p>Forward: the relative error {@code ||x - ref|| / ||ref||} (absolute where the reference is all zero), the SPEC's
 * figures: fp32 below 1e-5 on the host and 1e-4 on a GPU, fp16 and bf16 below 1e-2.
 *
 * <p>Backward (the SPEC sets none): the error relative to the gradient's scale, {@code ||x - ref|| / max(||ref||,
 * ||scale||)}, where the scale is the same sums taken over absolute values ({@link GradientScale}); five times the
 * forward figure for fp32 (5e-5 host, 5e-4 GPU) and 5e-2 for fp16 and bf16. The gradients chain two more products
 * onto the forward pass and subtract in {@code dS = P * (dP - delta)}, where dP and delta can be close: for a peaked
 * softmax the gradient is a cancellation remainder about 1e-5 of its terms, and a correct float32 provider is then
 * off by up to 30% of the gradient itself, but never by more than a few float32 roundings of the terms. Half-precision
 * providers also round P and dS to 16 bits before the products (FlashAttention does), and return the gradients in
 * 16 bits. The kit's own tests (ToleranceMarginsTest) measure a float32 implementation and one that rounds like a
 * half-precision kernel on every case: both stay below half of every tolerance, while a gradient off by 0.1% still
 * fails the fp32 cases (KitCatchesBugsTest).
 */
public final class Tolerances {
    /** SPEC: fp32 relative error on the CPU. */
    public static final double FP32_HOST = 1e-5;
    /** SPEC: fp32 relative error on the GPU. */
    public static final double FP32_GPU = 1e-4;
    /** SPEC: fp16 and bf16 relative error. */
    public static final double HALF = 1e-2;
    /** Backward over forward, for fp32 (see the class comment). */
    public static final double FP32_BACKWARD_FACTOR = 5;
    /** Backward, for fp16 and bf16 (see the class comment). */
    public static final double HALF_BACKWARD = 5e-2;

    private final Map<DType, Double> forward;
    private final Map<DType, Double> backward;

    private Tolerances(Map<DType, Double> forward, Map<DType, Double> backward) {
        this.forward = new EnumMap<>(forward);
        this.backward = new EnumMap<>(backward);
    }

    /** The SPEC's tolerances for a provider computing on the host. */
    public static Tolerances host() {
        return of(FP32_HOST);
    }

    /** The SPEC's tolerances for a provider computing on a GPU. */
    public static Tolerances gpu() {
        return of(FP32_GPU);
    }

    /**
     * {@link #gpu()} for a provider that takes CUDA tensors (it computes on a GPU), {@link #host()} otherwise.
     */
    public static Tolerances forProvider(AttentionProvider provider) {
        Objects.requireNonNull(provider, "provider");
        return provider.capabilities().devices().contains(Device.Kind.CUDA) ? gpu() : host();
    }

    private static Tolerances of(double fp32) {
        Map<DType, Double> f = new EnumMap<>(DType.class);
        Map<DType, Double> b = new EnumMap<>(DType.class);
        f.put(DType.FP32, fp32);
        f.put(DType.FP16, HALF);
        f.put(DType.BF16, HALF);
        b.put(DType.FP32, fp32 * FP32_BACKWARD_FACTOR);
        b.put(DType.FP16, HALF_BACKWARD);
        b.put(DType.BF16, HALF_BACKWARD);
        return new Tolerances(f, b);
    }

    /** Tolerance on O, LSE and probabilities for inputs of type {@code dtype}. */
    public double forward(DType dtype) {
        return forward.get(dtype);
    }

    /** Tolerance on dQ, dK and dV for inputs of type {@code dtype}. */
    public double backward(DType dtype) {
        return backward.get(dtype);
    }

    /** A copy with another forward tolerance for {@code dtype}. */
    public Tolerances withForward(DType dtype, double tolerance) {
        Tolerances t = new Tolerances(forward, backward);
        t.forward.put(Objects.requireNonNull(dtype, "dtype"), check(tolerance));
        return t;
    }

    /** A copy with another backward tolerance for {@code dtype}. */
    public Tolerances withBackward(DType dtype, double tolerance) {
        Tolerances t = new Tolerances(forward, backward);
        t.backward.put(Objects.requireNonNull(dtype, "dtype"), check(tolerance));
        return t;
    }

    private static double check(double tolerance) {
        if (!(tolerance > 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("tolerance: expected a finite number > 0, got " + tolerance);
        }
        return tolerance;
    }

    @Override
    public String toString() {
        return "Tolerances[forward " + forward + ", backward " + backward + "]";
    }
}
