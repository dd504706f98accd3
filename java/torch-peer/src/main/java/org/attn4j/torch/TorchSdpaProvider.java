package org.attn4j.torch;

import java.nio.FloatBuffer;
import java.util.EnumSet;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Device;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.mask.MaskKind;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Capabilities;
import org.attn4j.spi.Support;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * PyTorch's {@code scaled_dot_product_attention} on the CPU, as an attn4j provider: the peer a Java user would reach
 * for through the JavaCPP PyTorch presets. fp32 host tensors, softmax, the static masks (causal through
 * {@code is_causal} when Nq = Nk, everything else as a boolean {@code attn_mask}), GQA through {@code enable_gqa};
 * forward only, no LSE (SDPA does not return it). Its priority is below every attn4j provider, so it runs only when
 * named: {@code bench --peers torch-sdpa}, {@code --provider torch-sdpa}.
 */
public final class TorchSdpaProvider implements AttentionProvider {
    public static final String NAME = "torch-sdpa";

    private static final Capabilities CAPABILITIES = Capabilities.builder()
            .dtypes(EnumSet.of(DType.FP32))
            .devices(EnumSet.of(Device.Kind.CPU))
            .masks(EnumSet.of(MaskKind.CAUSAL, MaskKind.SLIDING_WINDOW, MaskKind.GLOBAL_TOKENS, MaskKind.BLOCK_MASK))
            .normalizers(EnumSet.of(Normalizer.SOFTMAX))
            .build();

    /** The last static mask built, reused while requests keep the same one (a benchmark's repetitions). */
    private TorchMask cached;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "PyTorch scaled_dot_product_attention on the CPU (JavaCPP presets), a peer for comparison";
    }

    @Override
    public int priority() {
        return -100;
    }

    @Override
    public Availability availability() {
        String problem = TorchLibrary.problem();
        return problem == null ? Availability.available("PyTorch (JavaCPP presets "
                + TorchLibrary.PRESETS_VERSION + "), " + torch.get_num_threads() + " threads") : Availability.unavailable(problem);
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Support supports(AttentionRequest request) {
        Support s = CAPABILITIES.check(request);
        if (s.isSupported() && request.returnLse()) {
            return Support.no("the log-sum-exp: PyTorch's scaled_dot_product_attention does not return it");
        }
        if (s.isSupported() && request.outputDType() != DType.FP32) {
            return Support.no("output dtype " + request.outputDType() + " (fp32 only)");
        }
        return s;
    }

    @Override
    public Support supportsBackward(AttentionRequest request) {
        return Support.no("no backward pass (the torch peer measures the forward pass only)");
    }

    @Override
    public AttentionResult forward(AttentionRequest r) {
        Support s = supports(r);
        if (!s.isSupported()) {
            throw new IllegalArgumentException("provider '" + NAME + "': " + s.reason());
        }
        r.checkTensorsOpen();
        String problem = TorchLibrary.problem();
        if (problem != null) {
            throw new IllegalStateException("provider '" + NAME + "' is unavailable: " + problem);
        }
        int b = r.batch();
        int hq = r.queryHeads();
        int nq = r.queryLength();
        int dv = r.valueDim();
        boolean plainCausal = r.causal() && nq == r.keyLength() && r.window().isEmpty() && r.blockMask().isEmpty();
        TorchMask mask = r.isDense() || plainCausal ? null : mask(r);
        Tensor out = r.output().orElse(null);
        boolean owned = out == null;
        if (owned) {
            out = Tensor.allocate(DType.FP32, b, hq, nq, dv);
        }
        try (Tensor.Lease lq = r.q().acquire(); Tensor.Lease lk = r.k().acquire(); Tensor.Lease lv = r.v().acquire();
             Tensor.Lease lo = out.acquire(); PointerScope scope = new PointerScope()) {
            org.bytedeco.pytorch.Tensor q = view(r.q());
            org.bytedeco.pytorch.Tensor k = view(r.k());
            org.bytedeco.pytorch.Tensor v = view(r.v());
            TensorOptional attnMask = mask == null ? new TensorOptional() : new TensorOptional(mask.mask);
            org.bytedeco.pytorch.Tensor o = torch.scaled_dot_product_attention(q, k, v, attnMask, 0.0, plainCausal,
                    new DoubleOptional(r.scale()), r.groupSize() > 1).contiguous();
            FloatPointer op = new FloatPointer(o.data_ptr()).capacity(o.numel());
            FloatBuffer dst = out.hostBuffer().asFloatBuffer();
            dst.put(op.asBuffer());
            if (mask != null) {
                for (long row : mask.emptyRows) {
                    for (int c = 0; c < dv; c++) {
                        dst.put((int) (row * dv + c), 0f);
                    }
                }
            }
        } catch (RuntimeException e) {
            if (owned) {
                out.close();
            }
            throw e;
        }
        long pairs = mask != null ? mask.allowedPairs
                : plainCausal ? (long) b * hq * nq * (nq + 1L) / 2 : (long) b * hq * nq * r.keyLength();
        return AttentionResult.builder(NAME).output(out, owned).allowedPairs(pairs).build();
    }

    @Override
    public AttentionGradients backward(BackwardRequest request) {
        throw new IllegalArgumentException("provider '" + NAME + "': no backward pass (the torch peer measures the"
                + " forward pass only)");
    }

    /** A PyTorch tensor over the attn4j tensor's host memory (no copy; valid while the lease is held). */
    private static org.bytedeco.pytorch.Tensor view(Tensor t) {
        FloatPointer p = new FloatPointer(t.hostBuffer().asFloatBuffer());
        int[] shape = t.shape();
        long[] sizes = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            sizes[i] = shape[i];
        }
        return torch.from_blob(p, sizes);
    }

    /**
     * The mask of {@code r}, from the cache when the last one built matches. A replaced mask is not freed here: a
     * call on another thread may still be using it; JavaCPP frees its memory once nothing refers to it.
     */
    private synchronized TorchMask mask(AttentionRequest r) {
        Object key = TorchMask.keyOf(r);
        TorchMask m = cached;
        if (m == null || !m.matches(key)) {
            m = TorchMask.build(r, key);
            cached = m;
        }
        return m;
    }
}
