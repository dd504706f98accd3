package org.attn4j.spi;

import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;

/**
 * An attention implementation, found by {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/org.attn4j.spi.AttentionProvider} of your jar.
 *
 * <p>Contract:
 * <ul>
 *   <li>The public no-argument constructor is cheap and runs no native code: providers are constructed just to be
 *       listed. Load libraries and probe devices lazily, in {@link #availability()} or the first call.</li>
 *   <li>{@link #availability()} never throws; it says why the provider cannot run here.</li>
 *   <li>{@link #forward} and {@link #backward} compute what docs/SPEC.md defines, validate their input (throwing
 *       IllegalArgumentException with a message naming the field, e.g. through {@link Capabilities#require}), and
 *       never crash the JVM.</li>
 *   <li>Calls may come from several threads at once.</li>
 *   <li>Through {@link org.attn4j.Attention}, every tensor of the request is leased for the whole call
 *       ({@link org.attn4j.Tensor#acquire()}): one closed by another thread meanwhile stays readable until the call
 *       returns. Work that outlives the call must take leases of its own.</li>
 *   <li>{@link #name()}, {@link #priority()} and {@link #capabilities()} are read once, at discovery; a provider whose
 *       constructor or one of them throws or answers null (or a name that is not 1 to 64 letters, digits,
 *       {@code . _ + -}) is left out and listed in the diagnostics with the cause.</li>
 * </ul>
 * Prove an implementation correct with the conformance kit (module {@code attn4j-conformance}).
 */
public interface AttentionProvider {

    /**
     * Unique (regardless of case), lower-case name used to select the provider ({@code -Dattn4j.provider=NAME}):
     * 1 to 64 letters, digits, {@code .}, {@code _}, {@code +} or {@code -}, starting with a letter or digit.
     */
    String name();

    /** One line for diagnostics. */
    default String description() {
        return "";
    }

    /**
     * Rank in automatic selection: the highest-priority available provider that supports a request runs it.
     * The project uses reference 0, cpu 100, cuda 1000.
     */
    int priority();

    /** Whether this provider can run on this machine, and if not the exact reason. Never throws. */
    Availability availability();

    /** What this provider computes. */
    Capabilities capabilities();

    /** Whether the forward pass can run {@code request}; by default from {@link #capabilities()}. */
    default Support supports(AttentionRequest request) {
        return capabilities().check(request);
    }

    /** Whether the backward pass can run for forward request {@code request}. */
    default Support supportsBackward(AttentionRequest request) {
        return capabilities().checkBackward(request);
    }

    /** Computes O (and LSE and probabilities when asked). */
    AttentionResult forward(AttentionRequest request);

    /** Computes dQ, dK, dV. */
    AttentionGradients backward(BackwardRequest request);
}
