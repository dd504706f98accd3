package org.attn4j.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.attn4j.HalfFloats;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a UTF-8 JSON header mapping each
 * tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets into the data section, plus an
 * optional {@code "__metadata__"} map of strings), padded with spaces to a multiple of 8 bytes, then the raw
 * little-endian data, contiguous and in header order. Written as F32; read from F32, F64, F16 or BF16.
 */
public final class SafeTensors {
    /** The header key of the free-form string metadata. */
    public static final String METADATA = "__metadata__";
    private static final long MAX_HEADER = 100L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafeTensors() {
    }

    /** A named tensor as floats. */
    public record Entry(String name, int[] shape, float[] data) {
        public Entry {
            Objects.requireNonNull(name, "name");
            shape = shape.clone();
            long size = 1;
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] < 0) {
                    throw new IllegalArgumentException(name + ".shape[" + i + "]: expected >= 0, got " + shape[i]);
                }
                size *= shape[i];
            }
            if (size != data.length) {
                throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds " + size
                        + " values, got " + data.length);
            }
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }
    }

    /** What {@link #read} returns: tensors in file order and the metadata. */
    public record Contents(Map<String, Entry> tensors, Map<String, String> metadata) {
        /** The tensor called {@code name}. */
        public Entry get(String name) {
            Entry e = tensors.get(name);
            if (e == null) {
                throw new IllegalArgumentException("safetensors: no tensor named '" + name + "' (found "
                        + tensors.keySet() + ")");
            }
            return e;
        }
    }

    /** Writes {@code tensors} as F32, in list order, with {@code metadata} (may be empty). */
    public static void write(Path file, List<Entry> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA);
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                meta.put(m.getKey(), m.getValue());
            }
        }
        long offset = 0;
        for (Entry e : tensors) {
            if (header.has(e.name())) {
                throw new IllegalArgumentException("tensors: the name '" + e.name() + "' appears twice");
            }
            ObjectNode t = header.putObject(e.name());
            t.put("dtype", "F32");
            ArrayNode shape = t.putArray("shape");
            for (int s : e.shape) {
                shape.add(s);
            }
            long bytes = 4L * e.data().length;
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] head = Arrays.copyOf(json, padded);
        Arrays.fill(head, json.length, padded, (byte) ' ');
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(head);
            for (Entry e : tensors) {
                ByteBuffer b = ByteBuffer.allocate(4 * e.data().length).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(e.data());
                out.write(b.array());
            }
        }
    }

    /**
     * A tensor's header entry must have a string dtype, a shape of non-negative ints and two integer offsets; Jackson
     * would otherwise turn "oops" or 2^32 + 1 quietly into 0 or 1.
     */
    private static void checkEntry(Path file, String name, JsonNode t) {
        String where = file + ": tensor '" + name + "': ";
        if (!t.isObject()) {
            throw new IllegalArgumentException(where + "expected an object with dtype, shape and data_offsets");
        }
        if (!t.path("dtype").isTextual()) {
            throw new IllegalArgumentException(where + "dtype: expected a string, got " + t.path("dtype"));
        }
        JsonNode shape = t.path("shape");
        if (!shape.isArray()) {
            throw new IllegalArgumentException(where + "shape: expected an array, got " + shape);
        }
        for (JsonNode dim : shape) {
            if (!dim.canConvertToInt() || !dim.isIntegralNumber() || dim.asInt() < 0) {
                throw new IllegalArgumentException(where + "shape: expected non-negative integers below 2^31, got "
                        + shape);
            }
        }
        JsonNode offsets = t.path("data_offsets");
        if (!offsets.isArray() || offsets.size() != 2 || !offsets.get(0).isIntegralNumber()
                || !offsets.get(1).isIntegralNumber() || !offsets.get(0).canConvertToLong()
                || !offsets.get(1).canConvertToLong()) {
            throw new IllegalArgumentException(where + "data_offsets: expected two integers, got " + offsets);
        }
    }

    /** Reads every tensor of {@code file}, converted to floats. */
    public static Contents read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < 8) {
            throw new IllegalArgumentException(file + ": not a safetensors file (" + all.length + " bytes)");
        }
        ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = buf.getLong(0);
        if (headerLength < 2 || headerLength > MAX_HEADER || 8 + headerLength > all.length) {
            throw new IllegalArgumentException(file + ": invalid safetensors header length " + headerLength);
        }
        String text = new String(all, 8, (int) headerLength, StandardCharsets.UTF_8);
        JsonNode header;
        try {
            header = JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": the safetensors header is not valid JSON: "
                    + e.getOriginalMessage(), e);
        }
        if (header == null || !header.isObject()) {
            throw new IllegalArgumentException(file + ": the safetensors header is not a JSON object");
        }
        int dataStart = 8 + (int) headerLength;
        long dataLength = all.length - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals(METADATA)) {
                for (Iterator<Map.Entry<String, JsonNode>> m = f.getValue().fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> kv = m.next();
                    metadata.put(kv.getKey(), kv.getValue().asText());
                }
            } else {
                fields.add(f);
            }
        }
        for (Map.Entry<String, JsonNode> f : fields) {
            checkEntry(file, f.getKey(), f.getValue());
        }
        fields.sort(Comparator.comparingLong(f -> f.getValue().path("data_offsets").path(0).asLong()));
        Map<String, Entry> tensors = new LinkedHashMap<>();
        long expectedBegin = 0;
        for (Map.Entry<String, JsonNode> f : fields) {
            String name = f.getKey();
            JsonNode t = f.getValue();
            String dtype = t.path("dtype").asText();
            int width = width(dtype, name);
            JsonNode shapeNode = t.path("shape");
            int[] shape = new int[shapeNode.size()];
            long size = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeNode.get(i).asInt();
                size *= shape[i];
                if (size > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(file + ": tensor '" + name + "' has more than 2^31 - 1"
                            + " elements: " + shapeNode);
                }
            }
            long begin = t.path("data_offsets").path(0).asLong(-1);
            long end = t.path("data_offsets").path(1).asLong(-1);
            if (begin != expectedBegin || end < begin || end > dataLength || end - begin != size * width) {
                throw new IllegalArgumentException(file + ": tensor '" + name + "' has data_offsets [" + begin + ", "
                        + end + "], expected [" + expectedBegin + ", " + (expectedBegin + size * width) + "] for "
                        + dtype + Arrays.toString(shape));
            }
            expectedBegin = end;
            float[] data = new float[(int) size];
            int at = dataStart + (int) begin;
            for (int i = 0; i < data.length; i++) {
                data[i] = decode(buf, at + i * width, dtype);
            }
            tensors.put(name, new Entry(name, shape, data));
        }
        if (expectedBegin != dataLength) {
            throw new IllegalArgumentException(file + ": the tensors cover " + expectedBegin + " of the "
                    + dataLength + " data bytes");
        }
        return new Contents(Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    }

    private static int width(String dtype, String name) {
        switch (dtype) {
            case "F64": return 8;
            case "F32": return 4;
            case "F16": case "BF16": return 2;
            default:
                throw new IllegalArgumentException("safetensors: tensor '" + name + "' has dtype '" + dtype
                        + "'; expected F32, F64, F16 or BF16");
        }
    }

    private static float decode(ByteBuffer b, int at, String dtype) {
        switch (dtype) {
            case "F64": return (float) b.getDouble(at);
            case "F32": return b.getFloat(at);
            case "F16": return HalfFloats.halfBitsToFloat(b.getShort(at));
            default: return HalfFloats.bf16BitsToFloat(b.getShort(at));
        }
    }
}
