package org.attn4j;

import java.util.Locale;

/** Element types of attention tensors. Half-precision types are stored as raw 16-bit patterns. */
public enum DType {
    FP32("fp32", 4),
    FP16("fp16", 2),
    BF16("bf16", 2);

    private final String label;
    private final int byteSize;

    DType(String label, int byteSize) {
        this.label = label;
        this.byteSize = byteSize;
    }

    /** Short name used by the CLI, JSON reports and error messages: {@code fp32}, {@code fp16}, {@code bf16}. */
    public String label() {
        return label;
    }

    public int byteSize() {
        return byteSize;
    }

    /** Parses {@code fp32|fp16|bf16} (also {@code float32}, {@code float16}, {@code bfloat16}), case-insensitively. */
    public static DType parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "fp32": case "float32": case "f32": return FP32;
            case "fp16": case "float16": case "f16": case "half": return FP16;
            case "bf16": case "bfloat16": return BF16;
            default:
                throw new IllegalArgumentException("dtype: expected one of fp32, fp16, bf16, got '" + text + "'");
        }
    }

    /** Rounds a float to the nearest value representable in this type (identity for FP32). */
    public float round(float value) {
        switch (this) {
            case FP16: return HalfFloats.halfBitsToFloat(HalfFloats.floatToHalfBits(value));
            case BF16: return HalfFloats.bf16BitsToFloat(HalfFloats.floatToBf16Bits(value));
            default: return value;
        }
    }

    @Override
    public String toString() {
        return label;
    }
}
