package org.attn4j.conformance;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Device;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.MaskKind;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Capabilities;
import org.attn4j.spi.Support;

/**
 * Invalid requests. Each must end in an IllegalArgumentException whose message names the field at fault: the
 * request builder's checks (shapes, heads, block-mask shape, window, K, scale, LSE with a non-softmax normalizer,
 * output tensors), run on the provider's own kind of tensors, and then the provider's own checks, which it makes when
 * called directly as {@link org.attn4j.Attention} would call it: tensors closed after the request was built, and
 * every type, normalizer, mask, head dim, output, device and backward pass it does not declare.
 */
final class ErrorCases {
    /** Words that name each mask in a message (any one will do). */
    private static final Map<MaskKind, List<String>> MASK_WORDS = Map.of(
            MaskKind.CAUSAL, List.of("causal"),
            MaskKind.SLIDING_WINDOW, List.of("window"),
            MaskKind.GLOBAL_TOKENS, List.of("global"),
            MaskKind.BLOCK_MASK, List.of("block mask", "blockMask"),
            MaskKind.BLOCK_TOPK, List.of("block top-k", "topKBlocks", "blockTopK"),
            MaskKind.TOKEN_TOPK, List.of("token top-k", "topKTokens", "tokenTopK"));

    /** One attempt at an invalid call; returns what the call returned, if it returned. */
    @FunctionalInterface
    private interface Attempt {
        Object run(TensorScope scope) throws Exception;
    }

    private final AttentionProvider p;
    private final ConformanceOptions options;
    private final Capabilities caps;
    private final DType main;
    private final int d;
    private final List<ConformanceCase> out = new ArrayList<>();

    private ErrorCases(AttentionProvider p, ConformanceOptions options, DType main) {
        this.p = p;
        this.options = options;
        this.caps = p.capabilities();
        this.main = main;
        this.d = Scenario.builder().build().adaptTo(caps).headDim;
    }

    static List<ConformanceCase> all(AttentionProvider p, ConformanceOptions options, DType main) {
        ErrorCases e = new ErrorCases(p, options, main);
        e.requestChecks();
        e.closedTensors();
        e.undeclared();
        e.backward();
        return e.out;
    }

    // ---- the request builder's checks, on the provider's tensors ----

    private void requestChecks() {
        DType other = other(main);
        rejects("k head dim differs from q's", "k.shape[3]",
                s -> forward(AttentionRequest.builder(t(s, 1, 2, 8, d), t(s, 1, 2, 8, d + 1), t(s, 1, 2, 8, d))));
        rejects("k batch differs from q's", "k.shape[0]",
                s -> forward(AttentionRequest.builder(t(s, 2, 2, 8, d), t(s, 1, 2, 8, d), t(s, 1, 2, 8, d))));
        rejects("v length differs from k's", "v.shape",
                s -> forward(AttentionRequest.builder(t(s, 1, 2, 8, d), t(s, 1, 2, 8, d), t(s, 1, 2, 9, d))));
        rejects("Hq=3 is not a multiple of Hkv=2", "k.shape[1]",
                s -> forward(AttentionRequest.builder(t(s, 1, 3, 8, d), t(s, 1, 2, 8, d), t(s, 1, 2, 8, d))));
        rejects("q of rank 3", "q.shape",
                s -> forward(AttentionRequest.builder(t(s, 2, 8, d), t(s, 1, 2, 8, d), t(s, 1, 2, 8, d))));
        rejects("block mask [3,2] where Nq=8 in tiles of 4 needs 2 query blocks", "blockMask.shape[2]",
                s -> forward(valid(s).blockMask(grid(new int[] {3, 2}))));
        rejects("block mask [2,1] where Nk=8 in tiles of 4 needs 2 key blocks", "blockMask.shape[3]",
                s -> forward(valid(s).blockMask(grid(new int[] {2, 1}))));
        rejects("block mask [1,3,2,2] for Hq=2", "blockMask.shape[1]",
                s -> forward(valid(s).blockMask(grid(new int[] {1, 3, 2, 2}))));
        rejects("block mask [2,1,2,2] for B=1", "blockMask.shape[0]",
                s -> forward(valid(s).blockMask(grid(new int[] {2, 1, 2, 2}))));
        rejects("block mask of rank 3", "blockMask.shape",
                s -> forward(valid(s).blockMask(grid(new int[] {1, 2, 2}))));
        rejects("block mask with tiles of 0 queries", "blockMask.blockQ",
                s -> forward(valid(s).blockMask(BlockMask.of(new boolean[4], new int[] {2, 2}, 0, 4))));
        rejects("window left = -1", "window.left", s -> forward(valid(s).window(-1, 0)));
        rejects("window right = -3", "window.right", s -> forward(valid(s).window(2, -3)));
        rejects("global tokens = -1", "globalTokens", s -> forward(valid(s).window(2, 0).globalTokens(-1)));
        rejects("global tokens without a window", "globalTokens", s -> forward(valid(s).globalTokens(2)));
        rejects("token top-k K = 0", "topKTokens.k", s -> forward(valid(s).topKTokens(0)));
        rejects("token top-k K = -5", "topKTokens.k", s -> forward(valid(s).topKTokens(-5)));
        rejects("block top-k K = 0", "topKBlocks.k", s -> forward(valid(s).topKBlocks(0, 4, 4)));
        rejects("block top-k with tiles of 0 queries", "topKBlocks.blockQ", s -> forward(valid(s).topKBlocks(1, 0, 4)));
        rejects("block top-k with tiles of -1 keys", "topKBlocks.blockK", s -> forward(valid(s).topKBlocks(1, 4, -1)));
        rejects("scale NaN", "scale", s -> forward(valid(s).scale(Double.NaN)));
        rejects("scale +infinity", "scale", s -> forward(valid(s).scale(Double.POSITIVE_INFINITY)));
        rejects("LSE asked with sparsemax", "returnLse",
                s -> forward(valid(s).normalizer(Normalizer.SPARSEMAX).returnLse(true)));
        rejects("LSE asked with entmax15", "returnLse",
                s -> forward(valid(s).normalizer(Normalizer.ENTMAX15).returnLse(true)));
        rejects("k of type " + other + " with q of type " + main, "k.dtype",
                s -> forward(AttentionRequest.builder(t(s, 1, 2, 8, d), t(s, other, 1, 2, 8, d), t(s, 1, 2, 8, d))));
        rejects("k closed before the request is built", "k", s -> {
            AttentionRequest.Builder b = valid(s);
            b.build().k().close();
            return forward(b);
        });
        rejects("output tensor of shape [1,2,8," + (d + 1) + "] for O [1,2,8," + d + "]", "output.shape",
                s -> forward(valid(s).output(t(s, 1, 2, 8, d + 1))));
        rejects("output tensor of type " + other + " with outputDType " + main, "output.dtype",
                s -> forward(valid(s).outputDType(main).output(t(s, other, 1, 2, 8, d))));
        rejects("LSE tensor of type fp16", "lseOutput.dtype",
                s -> forward(valid(s).lseOutput(t(s, DType.FP16, 1, 2, 8))));
        rejects("LSE tensor of shape [1,2,9] for [1,2,8]", "lseOutput.shape",
                s -> forward(valid(s).lseOutput(t(s, DType.FP32, 1, 2, 9))));
    }

    // ---- tensors closed after the request was built: the provider's own check ----

    private void closedTensors() {
        rejects("q closed after the request was built", "q", s -> {
            AttentionRequest r = supported(valid(s));
            r.q().close();
            return p.forward(r);
        });
        rejects("v closed after the request was built", "v", s -> {
            AttentionRequest r = supported(valid(s));
            r.v().close();
            return p.forward(r);
        });
        rejects("caller's output tensor closed after the request was built", "output", s -> {
            AttentionRequest r = supported(valid(s).output(t(s, 1, 2, 8, d)));
            r.output().orElseThrow().close();
            return p.forward(r);
        });
        rejects("caller's LSE tensor closed after the request was built", "lseOutput", s -> {
            AttentionRequest r = supported(valid(s).lseOutput(t(s, DType.FP32, 1, 2, 8)));
            r.lseOutput().orElseThrow().close();
            return p.forward(r);
        });
    }

    // ---- what the provider does not declare: forward must refuse, supports() must say no ----

    private void undeclared() {
        for (DType t : DType.values()) {
            String name = t + " inputs, which the provider does not declare";
            if (caps.dtypes().contains(t)) {
                skip(name, "dtype", "provider declares " + t);
            } else {
                undeclared(name, List.of("dtype"), s -> AttentionRequest.builder(t(s, t, 1, 2, 8, d),
                        t(s, t, 1, 2, 8, d), t(s, t, 1, 2, 8, d)));
            }
        }
        for (Normalizer n : Normalizer.values()) {
            String name = "normalizer " + n + ", which the provider does not declare";
            if (caps.normalizers().contains(n)) {
                skip(name, "normalizer", "provider declares " + n);
            } else {
                undeclared(name, List.of("normalizer"), s -> valid(s).normalizer(n));
            }
        }
        for (MaskKind m : MaskKind.values()) {
            String name = "mask '" + m + "', which the provider does not declare";
            if (caps.masks().contains(m)) {
                skip(name, MASK_WORDS.get(m).get(0), "provider declares " + m);
                continue;
            }
            EnumSet<MaskKind> request = EnumSet.of(m);
            if (m == MaskKind.GLOBAL_TOKENS) {
                request.add(MaskKind.SLIDING_WINDOW);
            }
            List<String> words = new ArrayList<>();
            for (MaskKind k : request) {
                if (!caps.masks().contains(k)) {
                    words.addAll(MASK_WORDS.get(k));
                }
            }
            undeclared(name, words, s -> withMask(valid(s), m));
        }
        int unsupportedDim = unsupportedHeadDim();
        String dimName = "head dim " + unsupportedDim + ", which the provider does not declare";
        if (unsupportedDim < 0) {
            skip("a head dim the provider does not declare", "head dim", "provider declares any head dim");
        } else {
            undeclared(dimName, List.of("head dim", "headDim", "q.shape[3]"), s -> AttentionRequest.builder(
                    t(s, 1, 1, 4, unsupportedDim), t(s, 1, 1, 4, unsupportedDim), t(s, 1, 1, 4, unsupportedDim)));
        }
        if (caps.valueDimMustEqualHeadDim()) {
            undeclared("Dv=" + (d + 1) + " with D=" + d + ", where the provider needs Dv = D",
                    List.of("value dim", "valueDim", "Dv", "v.shape"),
                    s -> AttentionRequest.builder(t(s, 1, 2, 8, d), t(s, 1, 2, 8, d), t(s, 1, 2, 8, d + 1)));
        } else {
            skip("Dv != D, where the provider needs Dv = D", "value dim", "provider takes any Dv");
        }
        if (caps.probabilities()) {
            skip("probabilities, which the provider does not declare", "probabilities",
                    "provider declares probabilities");
        } else {
            undeclared("probabilities, which the provider does not declare", List.of("probabilities"),
                    s -> valid(s).returnProbabilities(true));
        }
        if (caps.devices().contains(Device.Kind.CPU)) {
            skip("host tensors, which the provider does not take", "device", "provider takes host tensors");
        } else {
            undeclared("host tensors, which the provider does not take", List.of("device", "cpu"),
                    s -> AttentionRequest.builder(host(s, 1, 2, 8, d), host(s, 1, 2, 8, d), host(s, 1, 2, 8, d)));
        }
        if (caps.devices().contains(Device.Kind.CUDA)) {
            skip("cuda:0 tensors, which the provider does not take", "device", "provider takes CUDA tensors");
        } else {
            undeclared("cuda:0 tensors, which the provider does not take", List.of("device", "cuda"),
                    s -> AttentionRequest.builder(cuda(s, 1, 2, 8, d), cuda(s, 1, 2, 8, d), cuda(s, 1, 2, 8, d)));
        }
    }

    private int unsupportedHeadDim() {
        if (caps.headDims() != null) {
            for (int dim = 3; dim < 4096; dim++) {
                if (!caps.headDims().contains(dim)) {
                    return dim;
                }
            }
        }
        return caps.maxHeadDim() < 4096 ? caps.maxHeadDim() + 1 : -1;
    }

    // ---- backward ----

    private void backward() {
        if (!caps.hasBackward()) {
            backwardRefused("backward, which the provider declares none of", s -> valid(s));
        } else {
            for (DType t : caps.dtypes()) {
                if (!caps.backwardDtypes().contains(t)) {
                    backwardRefused("backward on " + t + ", which the provider does not declare",
                            s -> AttentionRequest.builder(t(s, t, 1, 2, 8, d), t(s, t, 1, 2, 8, d),
                                    t(s, t, 1, 2, 8, d)));
                }
            }
            for (Normalizer n : caps.normalizers()) {
                if (!caps.backwardNormalizers().contains(n)) {
                    backwardRefused("backward with " + n + ", which the provider does not declare",
                            s -> valid(s).normalizer(n));
                }
            }
            for (MaskKind m : caps.masks()) {
                if (!caps.backwardMasks().contains(m)) {
                    backwardRefused("backward with mask '" + m + "', which the provider does not declare",
                            s -> withMask(valid(s), m));
                }
            }
        }
        rejects("gradOutput of shape [1,2,9," + d + "] for O [1,2,8," + d + "]", "gradOutput.shape", s -> {
            AttentionRequest r = supportedBackward(valid(s));
            AttentionResult res = s.track(p.forward(r));
            return p.backward(BackwardRequest.of(r, res, t(s, 1, 2, 9, d)));
        });
        rejects("gradOutput closed after the backward request was built", "gradOutput", s -> {
            AttentionRequest r = supportedBackward(valid(s));
            AttentionResult res = s.track(p.forward(r));
            BackwardRequest b = BackwardRequest.of(r, res, t(s, 1, 2, 8, d));
            b.gradOutput().close();
            return p.backward(b);
        });
        rejects("k closed after the backward request was built", "k", s -> {
            AttentionRequest r = supportedBackward(valid(s));
            AttentionResult res = s.track(p.forward(r));
            BackwardRequest b = BackwardRequest.of(r, res, t(s, 1, 2, 8, d));
            r.k().close();
            return p.backward(b);
        });
    }

    private void backwardRefused(String name, RequestMaker maker) {
        rejects(name, List.of("backward"), s -> {
            AttentionRequest r = supported(maker.make(s));
            Support sb = p.supportsBackward(r);
            if (sb.isSupported()) {
                throw new AssertionError("supportsBackward() says yes where capabilities() declare no backward");
            }
            AttentionResult res = s.track(p.forward(r));
            return p.backward(BackwardRequest.of(r, res, t(s, 1, 2, 8, d)));
        });
    }

    // ---- helpers ----

    @FunctionalInterface
    private interface RequestMaker {
        AttentionRequest.Builder make(TensorScope s);
    }

    /** A request with something undeclared: supports() must say no and forward must throw. */
    private void undeclared(String name, List<String> words, RequestMaker maker) {
        rejects(name, words, s -> {
            AttentionRequest r = maker.make(s).build();
            Support sup = p.supports(r);
            if (sup.isSupported()) {
                throw new AssertionError("supports() says yes to what capabilities() do not declare");
            }
            return p.forward(r);
        });
    }

    private AttentionRequest supported(AttentionRequest.Builder b) {
        AttentionRequest r = b.build();
        Preconditions.requireSupported(p.supports(r), p, options);
        return r;
    }

    private AttentionRequest supportedBackward(AttentionRequest.Builder b) {
        AttentionRequest r = b.build();
        Preconditions.requireSupported(p.supportsBackward(r), p, options);
        return r;
    }

    private static AttentionRequest.Builder withMask(AttentionRequest.Builder b, MaskKind m) {
        switch (m) {
            case CAUSAL: return b.causal();
            case SLIDING_WINDOW: return b.window(4, 0);
            case GLOBAL_TOKENS: return b.window(4, 0).globalTokens(2);
            case BLOCK_MASK: return b.blockMask(BlockMask.of(new boolean[][] {{true, true}, {true, true}}, 4, 4));
            case BLOCK_TOPK: return b.topKBlocks(1, 4, 4);
            case TOKEN_TOPK: return b.topKTokens(3);
            default: throw new IllegalStateException("unknown mask " + m);
        }
    }

    private void rejects(String name, String field, Attempt attempt) {
        rejects(name, List.of(field), attempt);
    }

    private void rejects(String name, List<String> words, Attempt attempt) {
        out.add(new ConformanceCase(CaseCategory.ERRORS, name + " -> IllegalArgumentException naming "
                + String.join(" or ", words), f -> {
                    Preconditions.requireAvailable(p);
                    try (TensorScope scope = new TensorScope(options.placement())) {
                        Object result;
                        try {
                            result = attempt.run(scope);
                        } catch (IllegalArgumentException e) {
                            if (!namesAny(e.getMessage(), words)) {
                                f.fail("the IllegalArgumentException does not name " + String.join(" or ", words)
                                        + ": \"" + e.getMessage() + "\"");
                            }
                            return;
                        } catch (CaseSkipped | VirtualMachineError e) {
                            throw e;
                        } catch (AssertionError e) {
                            f.fail(e.getMessage());
                            return;
                        } catch (Throwable t) {
                            f.fail("expected an IllegalArgumentException naming " + String.join(" or ", words)
                                    + ", got " + ConformanceCase.describe(t));
                            return;
                        }
                        if (result instanceof AutoCloseable) {
                            scope.track((AutoCloseable) result);
                        }
                        f.fail("accepted the invalid request (expected an IllegalArgumentException naming "
                                + String.join(" or ", words) + ")");
                    }
                }));
    }

    private void skip(String name, String field, String reason) {
        out.add(new ConformanceCase(CaseCategory.ERRORS, name + " -> IllegalArgumentException naming " + field,
                f -> {
                    throw new CaseSkipped("nothing to refuse: " + reason);
                }));
    }

    /** Whether {@code message} contains one of {@code words}, not glued to a longer identifier. */
    static boolean namesAny(String message, List<String> words) {
        if (message == null) {
            return false;
        }
        for (String w : words) {
            Pattern p = Pattern.compile("(?<![A-Za-z0-9_])" + Pattern.quote(w) + "(?![A-Za-z0-9_])",
                    Pattern.CASE_INSENSITIVE);
            if (p.matcher(message).find()) {
                return true;
            }
        }
        return false;
    }

    /** A valid request: B=1, Hq=Hkv=2, Nq=Nk=8, the provider's main type and head dim. */
    private AttentionRequest.Builder valid(TensorScope s) {
        return AttentionRequest.builder(t(s, 1, 2, 8, d), t(s, 1, 2, 8, d), t(s, 1, 2, 8, d));
    }

    private BlockMask grid(int[] shape) {
        int n = 1;
        for (int x : shape) {
            n *= x;
        }
        boolean[] cells = new boolean[n];
        java.util.Arrays.fill(cells, true);
        return BlockMask.of(cells, shape, 4, 4);
    }

    private Tensor t(TensorScope s, int... shape) {
        return t(s, main, shape);
    }

    private Tensor t(TensorScope s, DType dtype, int... shape) {
        return s.placed(dtype, random(shape), shape);
    }

    /** A host tensor, whatever the placement. */
    private Tensor host(TensorScope s, int... shape) {
        return s.host(main, random(shape), shape);
    }

    /** A tensor that claims to live on cuda:0 (see {@link ForeignDeviceStorage}). */
    private Tensor cuda(TensorScope s, int... shape) {
        DType t = main;
        long bytes = (long) ScenarioData.size(shape) * t.byteSize();
        Tensor x = s.track(Tensor.wrap(new ForeignDeviceStorage(bytes, Device.cuda(0)), t, shape));
        x.copyFrom(random(shape));
        return x;
    }

    private static float[] random(int[] shape) {
        Random rnd = new Random(java.util.Arrays.hashCode(shape));
        float[] x = new float[ScenarioData.size(shape)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    private static DType other(DType t) {
        return t == DType.FP32 ? DType.FP16 : DType.FP32;
    }

    /** Builds {@code b} and runs the provider's forward pass on it. */
    private Object forward(AttentionRequest.Builder b) {
        return p.forward(b.build());
    }
}
