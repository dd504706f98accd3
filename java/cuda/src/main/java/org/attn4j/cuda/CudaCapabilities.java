package org.attn4j.cuda;

import java.util.EnumSet;
import java.util.Set;
import org.attn4j.DType;
import org.attn4j.Device;
import org.attn4j.Normalizer;
import org.attn4j.mask.MaskKind;
import org.attn4j.spi.Capabilities;

/** What the cuda provider computes. */
final class CudaCapabilities {
    /** Head dimensions with compiled kernels; the value dimension must equal the head dimension. */
    static final Set<Integer> HEAD_DIMS = Set.of(64, 128);

    static final Capabilities CAPABILITIES = Capabilities.builder()
            .dtypes(EnumSet.of(DType.FP16, DType.BF16))
            .devices(EnumSet.of(Device.Kind.CPU, Device.Kind.CUDA))
            .masks(EnumSet.allOf(MaskKind.class))
            .normalizers(EnumSet.allOf(Normalizer.class))
            .headDims(HEAD_DIMS)
            .valueDimMustEqualHeadDim(true)
            .probabilities(false)
            .backward(EnumSet.of(DType.FP16, DType.BF16),
                    EnumSet.of(MaskKind.CAUSAL, MaskKind.SLIDING_WINDOW, MaskKind.GLOBAL_TOKENS, MaskKind.BLOCK_MASK),
                    EnumSet.of(Normalizer.SOFTMAX))
            .build();

    private CudaCapabilities() {
    }
}
