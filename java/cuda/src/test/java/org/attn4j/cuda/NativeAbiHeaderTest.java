package org.attn4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** NativeAbi must mirror cuda/include/attn4j_cuda.h value for value (read from the header itself). */
class NativeAbiHeaderTest {

    private static String header() throws IOException {
        String configured = System.getProperty("attn4j.cuda.header");
        Path p = configured != null ? Path.of(configured) : Path.of("../../cuda/include/attn4j_cuda.h");
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    /** name -> value of every enumerator in the header's enums. */
    private static Map<String, Integer> enumerators(String header) {
        Map<String, Integer> out = new LinkedHashMap<>();
        Matcher e = Pattern.compile("enum \\w+ \\{(.*?)\\};", Pattern.DOTALL).matcher(header);
        while (e.find()) {
            String body = e.group(1).replaceAll("/\\*.*?\\*/", "");
            int next = 0;
            for (String part : body.split(",")) {
                String t = part.trim();
                if (t.isEmpty()) {
                    continue;
                }
                String name = t;
                int value = next;
                int eq = t.indexOf('=');
                if (eq >= 0) {
                    name = t.substring(0, eq).trim();
                    value = Integer.parseInt(t.substring(eq + 1).trim());
                }
                out.put(name, value);
                next = value + 1;
            }
        }
        return out;
    }

    @Test
    void everyEnumeratorMatchesItsJavaConstant() throws Exception {
        String h = header();
        Map<String, Integer> values = enumerators(h);
        assertTrue(values.size() > 80, "expected the header's enums, found " + values.size() + " enumerators");
        for (Map.Entry<String, Integer> v : values.entrySet()) {
            String javaName = v.getKey().substring("ATTN4J_".length());
            Field f = NativeAbi.class.getField(javaName);
            assertEquals(v.getValue().intValue(), f.getInt(null), "NativeAbi." + javaName);
        }
        Matcher abi = Pattern.compile("#define ATTN4J_ABI_VERSION (\\d+)").matcher(h);
        assertTrue(abi.find());
        assertEquals(Integer.parseInt(abi.group(1)), NativeAbi.ABI_VERSION);
    }

    @Test
    void dtypeAndNormalizerCodesAreTheApiOrdinals() {
        assertEquals(org.attn4j.DType.FP32.ordinal(), NativeAbi.FP32);
        assertEquals(org.attn4j.DType.FP16.ordinal(), NativeAbi.FP16);
        assertEquals(org.attn4j.DType.BF16.ordinal(), NativeAbi.BF16);
        assertEquals(org.attn4j.Normalizer.SOFTMAX.ordinal(), NativeAbi.SOFTMAX);
        assertEquals(org.attn4j.Normalizer.SPARSEMAX.ordinal(), NativeAbi.SPARSEMAX);
        assertEquals(org.attn4j.Normalizer.ENTMAX15.ordinal(), NativeAbi.ENTMAX15);
    }
}
