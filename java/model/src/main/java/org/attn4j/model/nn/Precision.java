package org.attn4j.model.nn;

import java.util.Locale;

/**
 * The number format a model trains in. {@link #BF16} is emulated: values are kept in float32 arrays but rounded to
 * the nearest bfloat16 (round to nearest even, {@link Bf16}) wherever PyTorch would store a bfloat16 tensor, so the
 * precision lost is the same, not the speed gained.
 */
public enum Precision {
    FP32, BF16;

    public static Precision parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "fp32": case "float32": return FP32;
            case "bf16": case "bfloat16": return BF16;
            default: throw new IllegalArgumentException("precision: expected fp32 or bf16, got '" + text + "'");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
