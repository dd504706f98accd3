package org.attn4j.bench.workload;

import java.util.ArrayList;
import java.util.List;

/**
 * The standard shapes (SPEC, "Counting work") and their scaled-down CPU versions.
 *
 * <p>Full size: FlashAttention's sweep, hidden 2048, head dim 64 (32 heads) and 128 (16 heads), sequence 512 to 16k
 * with batch = 16384 / sequence, masks dense and causal; attention-gym's B=16, H=16, S=8192, D=64 with tiles of 128.
 *
 * <p>CPU scale (a 2-core machine must finish a sweep in minutes): 8x fewer tokens and a 4x smaller hidden size.
 * FlashAttention's sweep becomes hidden 512 (8 heads of 64, 4 heads of 128), sequence 256 to 2048 with
 * batch = 2048 / sequence; attention-gym's becomes B=2, H=4, S=2048, D=64 with tiles of 64. Window lengths, document
 * counts and top-k follow the per-shape defaults of {@link MaskInstance}, so they scale with the sequence.
 *
 * <p>Quick runs keep a few of these: full size, head dim 128 at sequence 2k and 8k plus the gym shape; CPU scale,
 * head dim 64 at sequence 256 and 1024 (1024 tokens) plus the gym shape at B=1, S=1024.
 */
public final class ShapeSets {
    /** Tokens per batch of FlashAttention's sweep at full size. */
    public static final int FA_TOKENS = 16384;
    public static final int FA_HIDDEN = 2048;
    public static final int CPU_FA_TOKENS = 2048;
    public static final int CPU_FA_HIDDEN = 512;

    private ShapeSets() {
    }

    /** FlashAttention's sweep at {@code scale}. */
    public static List<Shape> flashAttention(Scale scale, boolean quick, List<MaskSpec> masks) {
        List<MaskSpec> m = masks != null ? masks : MaskSpec.flashAttentionDefaults();
        List<Shape> out = new ArrayList<>();
        if (scale == Scale.FULL) {
            int[] dims = quick ? new int[] {128} : new int[] {64, 128};
            int[] seqs = quick ? new int[] {2048, 8192} : new int[] {512, 1024, 2048, 4096, 8192, 16384};
            for (int d : dims) {
                for (int s : seqs) {
                    int heads = FA_HIDDEN / d;
                    out.add(new Shape("fa", scale, FA_TOKENS / s, heads, heads, s, s, d, d, 128, m));
                }
            }
        } else {
            int tokens = quick ? 1024 : CPU_FA_TOKENS;
            int[] dims = quick ? new int[] {64} : new int[] {64, 128};
            int[] seqs = quick ? new int[] {256, 1024} : new int[] {256, 512, 1024, 2048};
            for (int d : dims) {
                for (int s : seqs) {
                    int heads = CPU_FA_HIDDEN / d;
                    out.add(new Shape("fa", scale, tokens / s, heads, heads, s, s, d, d, 64, m));
                }
            }
        }
        return out;
    }

    /** attention-gym's shape at {@code scale}. */
    public static List<Shape> attentionGym(Scale scale, boolean quick, List<MaskSpec> masks) {
        List<MaskSpec> m = masks != null ? masks : MaskSpec.gymDefaults();
        if (scale == Scale.FULL) {
            return List.of(new Shape("gym", scale, 16, 16, 16, 8192, 8192, 64, 64, 128, m));
        }
        return quick
                ? List.of(new Shape("gym", scale, 1, 4, 4, 1024, 1024, 64, 64, 64, m))
                : List.of(new Shape("gym", scale, 2, 4, 4, 2048, 2048, 64, 64, 64, m));
    }

    /** One line for reports: how the CPU shapes relate to the SPEC's. */
    public static String cpuScalingNote() {
        return "CPU scale: FlashAttention sweep with " + CPU_FA_TOKENS + " tokens per batch instead of " + FA_TOKENS
                + " and hidden " + CPU_FA_HIDDEN + " instead of " + FA_HIDDEN + " (sequence 256..2048, batch = "
                + CPU_FA_TOKENS + "/S); attention-gym B=2 H=4 S=2048 D=64 tiles 64 instead of B=16 H=16 S=8192 D=64"
                + " tiles 128; quick: 1024 tokens, S=256 and 1024, gym B=1 S=1024";
    }
}
