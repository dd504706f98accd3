package org.attn4j.cpu.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.attn4j.Attention;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.conformance.Tolerances;
import org.attn4j.mask.BlockMask;

/**
 * Runs one {@link FuzzCase} through the public API on {@code cpu} and {@code reference}, and judges it:
 * <ul>
 *   <li>the only exception any step may throw is an IllegalArgumentException whose message starts with a field's
 *       name (for an invalid case, the field its mutation broke); a valid case throws nothing;</li>
 *   <li>an invalid case is refused, never computed;</li>
 *   <li>a valid case's O, LSE, probabilities, allowed pairs (and gradients, for backward cases) agree between the
 *       two providers as {@link Agreement} defines it, NaN and infinities included, unless a value cpu forms may
 *       leave float32's range, the one difference the SPEC documents ({@link FloatRange}).</li>
 * </ul>
 */
final class FuzzRun {
    /** The fields an IllegalArgumentException's message may start with. */
    static final List<String> FIELDS = List.of("q", "k", "v", "output", "lseOutput", "lse", "gradOutput", "scale",
            "window", "globalTokens", "blockMask", "topKBlocks", "topKTokens", "normalizer", "returnLse",
            "returnProbabilities", "outputDType", "provider", "request", "shape", "values", "dtype");

    /**
     * What happened to a case, for the run's statistics: compared (forward and, if drawn, backward); forward
     * compared but the backward pass only run (its sums may leave float32's range); only run (the forward pass
     * may leave it); refused; failed.
     */
    enum Outcome { COMPARED, FORWARD_COMPARED, RAN_UNCOMPARED, REFUSED, FAILED }

    private final FuzzCase c;
    private final List<String> findings = new ArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    /** The forward pass was compared, the backward pass not (its sums may leave float32's range). */
    private boolean uncomparedBackward;

    private FuzzRun(FuzzCase c) {
        this.c = c;
    }

    /** Runs {@code c}; what went wrong, if anything, is added to {@code findings} (one line each, with the case). */
    static Outcome run(FuzzCase c, List<String> findings) {
        FuzzRun run = new FuzzRun(c);
        Outcome outcome;
        try {
            outcome = run.execute();
        } catch (IllegalArgumentException e) {
            outcome = run.refused(e);
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError && !(t instanceof OutOfMemoryError)) {
                throw (VirtualMachineError) t;
            }
            run.findings.add("threw " + describe(t));
            outcome = Outcome.FAILED;
        } finally {
            run.closeAll();
        }
        if (run.findings.isEmpty() && c.mutation != null && outcome != Outcome.REFUSED) {
            run.findings.add("invalid request accepted: expected an IllegalArgumentException naming "
                    + String.join(" or ", c.mutation.fields()));
        }
        for (String f : run.findings) {
            findings.add(f + "  [" + c + "]");
        }
        return run.findings.isEmpty() ? outcome : Outcome.FAILED;
    }

    private Outcome execute() {
        Random data = new Random(FuzzCaseGenerator.mix(~c.seed));
        Tensor q = input("q", c.dtype, c.qShape, data, c.integerData);
        Tensor k = input("k", c.kDType != null ? c.kDType : c.dtype, c.kShape, data, c.integerData);
        Tensor v = input("v", c.vDType != null ? c.vDType : c.dtype, c.vShape, data, false);
        close(c.closedBeforeBuild, q, k, v);
        AttentionRequest.Builder b = AttentionRequest.builder(pass("q", q), pass("k", k), pass("v", v));
        if (c.nullNormalizer) {
            b.normalizer(null);
        } else {
            b.normalizer(c.normalizer);
        }
        if (c.scale != null) {
            b.scale(c.scale);
        }
        b.causal(c.causal);
        if (c.window) {
            b.window(c.windowLeft, c.windowRight);
        }
        if (c.globalTokens != null) {
            b.globalTokens(c.globalTokens);
        }
        if (c.blockMaskShape != null) {
            b.blockMask(blockMask(data));
        }
        if (c.topKBlocks) {
            b.topKBlocks(c.topKBlocksK, c.topKBlocksQ, c.topKBlocksKTile);
        }
        if (c.topKTokens != null) {
            b.topKTokens(c.topKTokens);
        }
        b.returnLse(c.returnLse).returnProbabilities(c.returnProbabilities);
        if (c.outputDType != null) {
            b.outputDType(c.outputDType);
        }
        Tensor callerO = null;
        if (c.callerOutputShape != null) {
            callerO = track(Tensor.allocate(c.callerOutputDType, c.callerOutputShape));
            b.output(callerO);
        }
        if (c.outputAliases != null) {
            b.output(c.outputAliases.equals("q") ? q : c.outputAliases.equals("k") ? k : v);
        }
        Tensor callerLse = null;
        if (c.callerLseShape != null) {
            callerLse = track(Tensor.allocate(c.callerLseDType, c.callerLseShape));
            b.lseOutput(callerLse);
        }
        AttentionRequest r = b.build();
        close(c.closedBeforeCall, q, k, v);

        // Each provider is called whatever the other did, so that both are held to the rule.
        Call cpu = call(r, c.provider != null ? c.provider : "cpu");
        Call reference = call(r, c.provider != null ? c.provider : "reference");
        if (cpu.failure != null || reference.failure != null) {
            return judgeCalls(cpu, reference);
        }
        AttentionResult mine = cpu.result;
        AttentionResult exact = reference.result;
        float[] o = cpu.o;
        float[] lse = cpu.lse;
        float[] probabilities = cpu.probabilities;
        float[] qValues = r.q().toFloatArray();
        float[] kValues = r.k().toFloatArray();
        float[] vValues = r.v().toFloatArray();
        if (!FloatRange.forward(r.scale(), qValues, kValues, vValues, c.batch(), c.queryHeads(), r.kvHeads(),
                c.queryLength(), c.keyLength(), c.headDim(), r.outputDType())) {
            if (c.backward) {
                Tensor dO = gradOutput(data);
                track(Attention.backward(BackwardRequest.of(r, mine, dO), "cpu"));
                track(Attention.backward(BackwardRequest.of(r, exact, dO), "reference"));
            }
            return Outcome.RAN_UNCOMPARED;
        }
        double tol = Tolerances.host().forward(c.dtype);
        double outTol = Math.max(tol, Tolerances.host().forward(r.outputDType()));
        Agreement.compare("O", o, exact.output().toFloatArray(), r.outputDType(), 0, outTol, findings);
        if (mine.allowedPairs().isPresent() && exact.allowedPairs().isPresent()
                && mine.allowedPairs().getAsLong() != exact.allowedPairs().getAsLong()) {
            findings.add("allowedPairs: cpu " + mine.allowedPairs().getAsLong() + ", reference "
                    + exact.allowedPairs().getAsLong());
        }
        if (r.returnLse()) {
            if (lse == null || exact.lse().isEmpty()) {
                findings.add("LSE requested but missing from " + (lse == null ? "cpu" : "reference"));
            } else {
                // LSE = max s + log(sum exp(s - max s)): a float32 score is exact to a few roundings of its terms,
                // |scale| sum_c |q_c k_c|, and an LSE may be a single score (one kept key) that cancels to far
                // less than its terms (0.0048 from terms of 1), so the LSE is measured against the scale of its
                // scores as gradients are against theirs. A tiny scale puts such a score in float32's subnormal
                // range: there a float32 score of D terms holds only about D steps of 2^-149.
                double lseFloor = Math.max(Agreement.scoreScale(r.scale(), qValues, kValues, c.batch(),
                        c.queryHeads(), r.kvHeads(), c.queryLength(), c.keyLength(), c.headDim()),
                        Math.sqrt(lse.length) * Agreement.subnormalScoreError(c.headDim(),
                                FloatRange.maxFinite(kValues)) / tol);
                Agreement.compare("LSE", lse, exact.lse().get().toFloatArray(), DType.FP32, lseFloor, tol,
                        findings);
            }
        }
        if (r.returnProbabilities()) {
            if (probabilities == null || exact.probabilities().isEmpty()) {
                findings.add("probabilities requested but missing");
            } else {
                Agreement.compare("probabilities", probabilities, exact.probabilities().get().toFloatArray(),
                        DType.FP32, 0, tol, findings);
            }
        }
        if (c.backward) {
            backward(r, mine, exact, data, qValues, kValues, vValues);
        }
        return uncomparedBackward ? Outcome.FORWARD_COMPARED : Outcome.COMPARED;
    }

    private Tensor gradOutput(Random data) {
        return input("gradOutput", c.dtype, new int[] {c.batch(), c.queryHeads(), c.queryLength(),
                c.valueDim() + c.gradOutputDelta}, data, false);
    }

    /** The backward pass on both providers, compared unless its sums may leave float32's range. */
    private void backward(AttentionRequest r, AttentionResult mine, AttentionResult exact, Random data,
                          float[] q, float[] k, float[] v) {
        Tensor dO = gradOutput(data);
        AttentionGradients a = track(Attention.backward(BackwardRequest.of(r, mine, dO), "cpu"));
        AttentionGradients e = track(Attention.backward(BackwardRequest.of(r, exact, dO), "reference"));
        if (!FloatRange.backward(r.scale(), q, k, v, dO.toFloatArray(), c.queryLength(), r.groupSize(),
                c.keyLength(), c.valueDim(), r.dtype())) {
            uncomparedBackward = true;
            return;
        }
        // The backward pass reads O (delta = rowsum(dO * O)): O stored in a narrower type than the inputs carries
        // that type's rounding into the gradients, as it does into O itself.
        double tol = Math.max(Tolerances.host().backward(c.dtype), Tolerances.host().backward(r.outputDType()));
        // Typical gradient sizes: dS ~ dO.v (over Dv); dQ ~ scale dS k (the weights of a row sum to 1);
        // dK ~ scale dS q and dV ~ P dO, each summed over the query rows that share a key: Nq * group / Nk of them
        // on average, with signs that mostly cancel, hence the square root.
        double dS = Agreement.rms(dO) * Agreement.rms(r.v()) * Math.sqrt(c.valueDim());
        double rowsPerKey = Math.sqrt(Math.max(1.0, (double) c.queryLength() * r.groupSize() / c.keyLength()));
        Agreement.compare("dQ", a.dq().toFloatArray(), e.dq().toFloatArray(), r.dtype(),
                Math.sqrt(r.q().size()) * Math.abs(r.scale()) * dS * Agreement.rms(r.k()), tol, findings);
        Agreement.compare("dK", a.dk().toFloatArray(), e.dk().toFloatArray(), r.dtype(),
                Math.sqrt(r.k().size()) * rowsPerKey * Math.abs(r.scale()) * dS * Agreement.rms(r.q()), tol,
                findings);
        Agreement.compare("dV", a.dv().toFloatArray(), e.dv().toFloatArray(), r.dtype(),
                Math.sqrt(r.v().size()) * rowsPerKey * Agreement.rms(dO), tol, findings);
    }

    /** One provider's forward pass: its result (outputs read at once: a caller's O is shared), or its exception. */
    private static final class Call {
        final String provider;
        AttentionResult result;
        float[] o;
        float[] lse;
        float[] probabilities;
        RuntimeException failure;

        Call(String provider) {
            this.provider = provider;
        }
    }

    private Call call(AttentionRequest r, String provider) {
        Call call = new Call(provider);
        try {
            call.result = track(Attention.forward(r, provider));
            call.o = call.result.output().toFloatArray();
            call.lse = call.result.lse().map(Tensor::toFloatArray).orElse(null);
            call.probabilities = call.result.probabilities().map(Tensor::toFloatArray).orElse(null);
        } catch (RuntimeException e) {
            call.failure = e;
        }
        return call;
    }

    /** At least one call threw: each must have refused with the field named, and neither accepted. */
    private Outcome judgeCalls(Call... calls) {
        int refused = 0;
        for (Call call : calls) {
            if (call.failure instanceof IllegalArgumentException) {
                refused++;
                int before = findings.size();
                refused((IllegalArgumentException) call.failure);
                for (int i = before; i < findings.size(); i++) {
                    findings.set(i, call.provider + ": " + findings.get(i));
                }
            } else if (call.failure != null) {
                findings.add(call.provider + ": threw " + describe(call.failure));
            } else if (c.mutation != null && c.mutation != Mutation.GRAD_OUTPUT_SHAPE) {
                // (A bad dO makes only the backward pass invalid: the forward pass rightly runs.)
                findings.add(call.provider + ": invalid request accepted (another provider refused it)");
            }
        }
        return refused == calls.length ? Outcome.REFUSED : Outcome.FAILED;
    }

    /** An IllegalArgumentException: right for an invalid case if it names a field (its mutation's). */
    private Outcome refused(IllegalArgumentException e) {
        String m = String.valueOf(e.getMessage());
        if (!namesOneOf(m, FIELDS)) {
            findings.add("IllegalArgumentException without a field name: " + m);
        } else if (c.mutation == null) {
            findings.add("valid request refused: " + m);
        } else if (!namesOneOf(m, List.of(c.mutation.fields()))) {
            findings.add("refused for another reason than " + c.mutation + " (expected " + String.join(" or ",
                    c.mutation.fields()) + "): " + m);
        }
        return Outcome.REFUSED;
    }

    static boolean namesOneOf(String message, List<String> fields) {
        for (String f : fields) {
            if (message.startsWith(f) && message.length() > f.length() && ".:[ ('".indexOf(message.charAt(f.length()))
                    >= 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * A tensor of the case's shape with seeded values (in {-1, 1} if {@code integerValued}), with the case's
     * non-finite or huge values planted if {@code name} is among {@link FuzzCase#nonFiniteIn}; a shape that cannot
     * hold values goes to allocate as is.
     */
    private Tensor input(String name, DType dtype, int[] shape, Random data, boolean integerValued) {
        long n = 1;
        for (int s : shape) {
            n = s < 0 ? -1 : n * s;
            if (n < 0 || n > 50_000_000) {
                return track(Tensor.allocate(dtype, shape));
            }
        }
        float[] x = new float[(int) n];
        for (int i = 0; i < x.length; i++) {
            x[i] = integerValued ? (data.nextBoolean() ? 1 : -1) : (float) (data.nextGaussian() * c.sigma);
        }
        if (c.nonFiniteIn.contains(name) && x.length > 0) {
            float[] extremes = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 3e38f, -3e38f, 1e-45f};
            for (int i = 0, count = 1 + data.nextInt(3); i < count; i++) {
                x[data.nextInt(x.length)] = extremes[data.nextInt(extremes.length)];
            }
        }
        return track(Tensor.of(dtype, x, shape));
    }

    private BlockMask blockMask(Random data) {
        int[] s = c.blockMaskShape;
        long cells = 1;
        for (int x : s) {
            cells *= Math.max(x, 0);
        }
        boolean[] values = new boolean[(int) Math.min(cells, 10_000_000)];
        for (int i = 0; i < values.length; i++) {
            values[i] = data.nextDouble() < c.blockMaskDensity;
        }
        return BlockMask.of(values, s, c.blockMaskQ, c.blockMaskK);
    }

    private Tensor pass(String name, Tensor t) {
        return name.equals(c.nullTensor) ? null : t;
    }

    private static void close(String which, Tensor q, Tensor k, Tensor v) {
        if (which != null) {
            (which.equals("q") ? q : which.equals("k") ? k : v).close();
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        open.add(resource);
        return resource;
    }

    private void closeAll() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                findings.add("closing " + open.get(i) + " threw " + describe(e));
            }
        }
    }

    /** An exception with where it came from. */
    static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder(t.toString());
        StackTraceElement[] trace = t.getStackTrace();
        for (int i = 0; i < Math.min(4, trace.length); i++) {
            sb.append(i == 0 ? " at " : " < ").append(trace[i]);
        }
        Throwable cause = t.getCause();
        if (cause != null && cause != t) {
            sb.append(" caused by ").append(describe(cause));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "FuzzRun[" + c + ", findings " + Arrays.toString(findings.toArray()) + "]";
    }
}
