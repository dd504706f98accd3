package org.attn4j.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.attn4j.HalfFloats;
import org.attn4j.Normalizer;
import org.attn4j.model.gpt.GptConfig;
import org.attn4j.model.gpt.GptModel;
import org.attn4j.model.gpt.LayerAttention;
import org.attn4j.model.nn.Parallel;
import org.attn4j.model.nn.Parameter;
import org.attn4j.model.parity.ParityTask;
import org.attn4j.model.theory.TheoryConfig;
import org.attn4j.model.theory.TheoryTransformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripAndByteLayout() throws IOException {
        Path f = dir.resolve("t.safetensors");
        List<SafeTensors.Entry> entries = List.of(
                new SafeTensors.Entry("a.weight", new int[] {2, 3}, new float[] {1, -2, 3.5f, 0, 1e-8f, -7}),
                new SafeTensors.Entry("b", new int[] {1}, new float[] {42}));
        SafeTensors.write(f, entries, Map.of("format", "pt"));
        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = b.getLong(0);
        assertEquals(0, headerLength % 8, "header padded to 8 bytes");
        assertEquals(8 + headerLength + 4 * 7, bytes.length);
        JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, (int) headerLength,
                StandardCharsets.UTF_8).trim());
        assertEquals("F32", header.get("a.weight").get("dtype").asText());
        assertEquals("[2,3]", header.get("a.weight").get("shape").toString());
        assertEquals("[0,24]", header.get("a.weight").get("data_offsets").toString());
        assertEquals("[24,28]", header.get("b").get("data_offsets").toString());
        assertEquals("pt", header.get("__metadata__").get("format").asText());
        assertEquals(-2f, b.getFloat(8 + (int) headerLength + 4), "little-endian raw data");

        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(List.of("a.weight", "b"), List.copyOf(c.tensors().keySet()));
        assertArrayEquals(entries.get(0).data(), c.get("a.weight").data());
        assertArrayEquals(new int[] {2, 3}, c.get("a.weight").shape());
        assertArrayEquals(new float[] {42}, c.get("b").data());
        assertEquals("pt", c.metadata().get("format"));
    }

    @Test
    void readsHalfPrecisionWrittenByOtherTools() throws IOException {
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"g\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[4,6]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + 6).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json).putShort(HalfFloats.floatToHalfBits(1.5f))
                .putShort(HalfFloats.floatToHalfBits(-0.25f)).putShort(HalfFloats.floatToBf16Bits(3f));
        Path f = dir.resolve("half.safetensors");
        Files.write(f, b.array());
        SafeTensors.Contents c = SafeTensors.read(f);
        assertArrayEquals(new float[] {1.5f, -0.25f}, c.get("h").data());
        assertArrayEquals(new float[] {3f}, c.get("g").data());
    }

    @Test
    void rejectsCorruptFiles() throws IOException {
        Path f = dir.resolve("bad.safetensors");
        String header = "{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,12]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        Files.write(f, ByteBuffer.allocate(8 + json.length + 12).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length)
                .put(json).array());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains("tensor 'x' has data_offsets [0, 12], expected [0, 16]"), e.getMessage());
        Files.write(f, new byte[] {1, 2, 3});
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(f));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(f));
        assertThrows(IllegalArgumentException.class,
                () -> new SafeTensors.Entry("x", new int[] {2}, new float[3]));
    }

    @Test
    void rejectsHeadersThatJsonWouldQuietlyCoerce() throws IOException {
        assertHeaderRejected("{\"x\":{\"dtype\":\"F32\",\"shape\":[4294967297],\"data_offsets\":[0,4]}}", 4,
                "tensor 'x': shape: expected non-negative integers below 2^31, got [4294967297]");
        assertHeaderRejected("{\"x\":{\"dtype\":\"F32\",\"shape\":\"oops\",\"data_offsets\":[0,4]}}", 4,
                "tensor 'x': shape: expected an array, got \"oops\"");
        assertHeaderRejected("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4,
                "tensor 'x': data_offsets: expected two integers, got [0]");
        assertHeaderRejected("{\"x\":{\"dtype\":\"F32\",\"sha", 4, "the safetensors header is not valid JSON");
    }

    private void assertHeaderRejected(String header, int dataBytes, String expected) throws IOException {
        Path f = dir.resolve("bad-header.safetensors");
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        Files.write(f, ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length).put(json).array());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void gptCheckpointRoundTrip() throws IOException {
        GptConfig c = GptConfig.of(2, 9, 16, 2, 4).withDropout(0.1f).withAttention(List.of(
                LayerAttention.of(Normalizer.ENTMAX15).withWindow(3, 1),
                LayerAttention.dense().withTokenTopK(3)));
        ParityTask task = ParityTask.withSeed(5, 3, true, 2);
        int[] tokens = {0, 1, 1, 0, 1, 0, 1, 1, 0};
        try (GptModel m = new GptModel(c, 3, Parallel.serial())) {
            float[] before = m.forward(tokens, 1, 9, GptModel.Mode.EVAL).clone();
            Checkpoint.saveGpt(dir.resolve("gpt"), m, task);
            try (GptModel loaded = Checkpoint.loadGpt(dir.resolve("gpt"), Parallel.serial()).model()) {
                assertEquals(c, loaded.config());
                for (int i = 0; i < m.parameters().size(); i++) {
                    Parameter a = m.parameters().get(i);
                    Parameter b = loaded.parameters().get(i);
                    assertEquals(a.name(), b.name());
                    assertArrayEquals(a.value(), b.value(), a.name());
                }
                assertArrayEquals(before, loaded.forward(tokens, 1, 9, GptModel.Mode.EVAL));
            }
            ParityTask back = Checkpoint.loadGpt(dir.resolve("gpt"), Parallel.serial()).task();
            assertArrayEquals(task.secret(), back.secret());
            assertEquals(task.cot(), back.cot());
        }
        JsonNode config = new ObjectMapper().readTree(dir.resolve("gpt/config.json").toFile());
        assertEquals("gpt2", config.get("model_type").asText());
        assertEquals(16, config.get("n_embd").asInt());
        assertEquals("gelu_new", config.get("activation_function").asText());
        assertEquals("entmax15", config.get("attn4j").get("attention").get(0).get("normalizer").asText());
        SafeTensors.Contents w = SafeTensors.read(dir.resolve("gpt/model.safetensors"));
        assertArrayEquals(new int[] {16, 48}, w.get("transformer.h.0.attn.c_attn.weight").shape(),
                "GPT-2 Conv1D layout [in, out]");
        assertTrue(w.tensors().containsKey("transformer.wpe.weight"));
        assertTrue(!w.tensors().containsKey("lm_head.weight"), "tied head is not stored twice");
    }

    @Test
    void theoryCheckpointRoundTrip() throws IOException {
        TheoryTransformer m = new TheoryTransformer(new TheoryConfig(6, 8, 3, 0.2, new int[] {3, 4}), 5,
                Parallel.serial());
        m.attentionWeight().value()[3] = 0.75f;
        Checkpoint.saveTheory(dir.resolve("theory"), m, ParityTask.of(3, true, 0, 1), 12.5);
        Checkpoint.LoadedTheory back = Checkpoint.loadTheory(dir.resolve("theory"), Parallel.serial());
        assertEquals(m.config(), back.model().config());
        assertEquals(12.5, back.lr());
        for (int i = 0; i < m.parameters().size(); i++) {
            assertArrayEquals(m.parameters().get(i).value(), back.model().parameters().get(i).value());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.loadGpt(dir.resolve("theory"), Parallel.serial()));
        assertTrue(e.getMessage().endsWith("config.json describes a 'theory' model, not a GPT"), e.getMessage());
        assertTrue(Arrays.stream(new String[] {"embedding", "attention.A", "ffn.W", "ffn.h"})
                .allMatch(n -> back.model().parameters().stream().anyMatch(p -> p.name().equals(n))));
    }
}
