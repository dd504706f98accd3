package org.attn4j.cli;

import org.attn4j.DType;
import org.attn4j.Normalizer;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/** Converters from option text to attn4j's types, failing with the message of the type's own parser. */
public final class OptionConverters {
    private OptionConverters() {
    }

    /** {@code fp32|fp16|bf16}. */
    public static final class DTypeConverter implements CommandLine.ITypeConverter<DType> {
        @Override
        public DType convert(String text) {
            try {
                return DType.parse(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("expected fp32, fp16 or bf16, got '" + text + "'");
            }
        }
    }

    /** {@code softmax|sparsemax|entmax15}. */
    public static final class NormalizerConverter implements CommandLine.ITypeConverter<Normalizer> {
        @Override
        public Normalizer convert(String text) {
            try {
                return Normalizer.parse(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("expected softmax, sparsemax or entmax15, got '" + text + "'");
            }
        }
    }
}
