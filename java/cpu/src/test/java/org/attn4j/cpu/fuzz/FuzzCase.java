package org.attn4j.cpu.fuzz;

import java.util.Arrays;
import java.util.List;
import org.attn4j.DType;
import org.attn4j.Normalizer;

/**
 * One fuzzed request, as plain settings: everything {@link FuzzRun} needs to build the tensors and the request, and
 * {@link #toString()} to read it back in a report. Made by {@link FuzzCaseGenerator} from one seed; the same seed
 * always makes the same case.
 */
final class FuzzCase {
    /** The seed this case was drawn from: {@code -Dattn4j.fuzz.case=SEED} runs it alone. */
    long seed;
    DType dtype = DType.FP32;
    DType kDType;
    DType vDType;
    int[] qShape;
    int[] kShape;
    int[] vShape;
    Double scale;
    boolean causal;
    boolean window;
    int windowLeft;
    int windowRight;
    Integer globalTokens;
    /** Block mask over tiles of blockMaskQ x blockMaskK; shape [QB, KB] or [B|1, H|1, QB, KB]. */
    int[] blockMaskShape;
    int blockMaskQ;
    int blockMaskK;
    double blockMaskDensity;
    boolean topKBlocks;
    int topKBlocksK;
    int topKBlocksQ;
    int topKBlocksKTile;
    Integer topKTokens;
    Normalizer normalizer = Normalizer.SOFTMAX;
    boolean nullNormalizer;
    boolean returnLse;
    boolean returnProbabilities;
    DType outputDType;
    /** A caller-provided O of this shape and type (null: the provider allocates). */
    int[] callerOutputShape;
    DType callerOutputDType;
    /** O given as one of the inputs ("q", "k" or "v"): refused. */
    String outputAliases;
    int[] callerLseShape;
    DType callerLseDType;
    /** An input ("q", "k" or "v") passed as null, closed before build(), or closed between build() and the call. */
    String nullTensor;
    String closedBeforeBuild;
    String closedBeforeCall;
    String provider;
    /** Inputs in {-1, 1} and a power-of-two scale, so that token top-k sees exact scores (see the generator). */
    boolean integerData;
    double sigma = 1;
    /** The inputs ("q", "k", "v", "gradOutput") given a few NaN, infinite, huge or subnormal values. */
    List<String> nonFiniteIn = List.of();
    boolean backward;
    /** Added to dO's last dimension (0: dO fits O). */
    int gradOutputDelta;
    /** What makes the request invalid, or null for a valid one. */
    Mutation mutation;

    boolean valid() {
        return mutation == null;
    }

    int batch() {
        return qShape[0];
    }

    int queryHeads() {
        return qShape[1];
    }

    int queryLength() {
        return qShape[2];
    }

    int keyLength() {
        return kShape[2];
    }

    int headDim() {
        return qShape[3];
    }

    int valueDim() {
        return vShape[3];
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append("seed=").append(seed).append(' ').append(mutation == null ? "valid" : "invalid(" + mutation + ")")
                .append(' ').append(dtype);
        if (kDType != null || vDType != null) {
            sb.append(" k:").append(kDType).append(" v:").append(vDType);
        }
        sb.append(" q").append(Arrays.toString(qShape)).append(" k").append(Arrays.toString(kShape))
                .append(" v").append(Arrays.toString(vShape)).append(' ')
                .append(nullNormalizer ? "normalizer=null" : normalizer.toString());
        if (scale != null) {
            sb.append(" scale=").append(scale);
        }
        if (causal) {
            sb.append(" causal");
        }
        if (window) {
            sb.append(" window(").append(windowLeft).append(", ").append(windowRight).append(')');
        }
        if (globalTokens != null) {
            sb.append(" global=").append(globalTokens);
        }
        if (blockMaskShape != null) {
            sb.append(" blockMask").append(Arrays.toString(blockMaskShape)).append(' ').append(blockMaskQ).append('x')
                    .append(blockMaskK).append(String.format(" density %.2f", blockMaskDensity));
        }
        if (topKBlocks) {
            sb.append(" topKBlocks(").append(topKBlocksK).append(", ").append(topKBlocksQ).append('x')
                    .append(topKBlocksKTile).append(')');
        }
        if (topKTokens != null) {
            sb.append(" topKTokens(").append(topKTokens).append(')');
        }
        if (returnLse) {
            sb.append(" +lse");
        }
        if (returnProbabilities) {
            sb.append(" +probabilities");
        }
        if (outputDType != null) {
            sb.append(" ->").append(outputDType);
        }
        if (callerOutputShape != null) {
            sb.append(" output=").append(callerOutputDType).append(Arrays.toString(callerOutputShape));
        }
        if (outputAliases != null) {
            sb.append(" output=").append(outputAliases);
        }
        if (callerLseShape != null) {
            sb.append(" lseOutput=").append(callerLseDType).append(Arrays.toString(callerLseShape));
        }
        if (nullTensor != null) {
            sb.append(' ').append(nullTensor).append("=null");
        }
        if (closedBeforeBuild != null) {
            sb.append(' ').append(closedBeforeBuild).append(" closed before build");
        }
        if (closedBeforeCall != null) {
            sb.append(' ').append(closedBeforeCall).append(" closed before the call");
        }
        if (provider != null) {
            sb.append(" provider=").append(provider);
        }
        sb.append(integerData ? " data=+-1" : String.format(" data=N(0, %.2f^2)", sigma));
        if (!nonFiniteIn.isEmpty()) {
            sb.append(" +non-finite in ").append(String.join(",", nonFiniteIn));
        }
        if (backward) {
            sb.append(" +backward");
        }
        if (gradOutputDelta != 0) {
            sb.append(" dO.shape[3]+").append(gradOutputDelta);
        }
        return sb.toString();
    }
}
