package org.attn4j.bench.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads and writes {@link BenchDocument}s (and peer plans) as JSON with snake_case names. */
public final class JsonCodec {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private JsonCodec() {
    }

    /** The mapper the benchmark uses (snake_case, indented, tolerant of unknown fields from newer writers). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static String toJson(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName() + ": "
                    + e.getMessage(), e);
        }
    }

    public static void write(Object value, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, toJson(value) + System.lineSeparator());
    }

    public static BenchDocument parse(String json, String origin) throws IOException {
        BenchDocument doc = MAPPER.readValue(json, BenchDocument.class);
        if (doc == null || !BenchDocument.SCHEMA.equals(doc.schema())) {
            throw new IllegalArgumentException(origin + ": expected schema '" + BenchDocument.SCHEMA + "', got "
                    + (doc == null ? "an empty document" : "'" + doc.schema() + "'"));
        }
        return doc;
    }

    public static BenchDocument read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("merge: no such file '" + file + "'");
        }
        return parse(Files.readString(file), file.toString());
    }
}
