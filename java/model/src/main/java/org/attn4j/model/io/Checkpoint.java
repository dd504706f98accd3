package org.attn4j.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.attn4j.model.gpt.GptConfig;
import org.attn4j.model.gpt.GptModel;
import org.attn4j.model.nn.Parallel;
import org.attn4j.model.nn.Parameter;
import org.attn4j.model.parity.ParityTask;
import org.attn4j.model.theory.TheoryConfig;
import org.attn4j.model.theory.TheoryTransformer;

/**
 * A model directory: {@code model.safetensors} (every parameter, F32, under its Hugging Face name) and
 * {@code config.json} ({@link ConfigJson}).
 */
public final class Checkpoint {
    public static final String WEIGHTS = "model.safetensors";
    public static final String CONFIG = "config.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Checkpoint() {
    }

    /** A loaded GPT model and the parity task its configuration records (or null). */
    public record LoadedGpt(GptModel model, ParityTask task) {
    }

    /** A loaded theory model, its task (or null) and its training rate. */
    public record LoadedTheory(TheoryTransformer model, ParityTask task, double lr) {
    }

    public static void saveGpt(Path dir, GptModel model, ParityTask task) throws IOException {
        Files.createDirectories(dir);
        writeJson(dir.resolve(CONFIG), ConfigJson.gpt(model.config(), task));
        SafeTensors.write(dir.resolve(WEIGHTS), entries(model.parameters()), metadata("gpt"));
    }

    public static LoadedGpt loadGpt(Path dir, Parallel par) throws IOException {
        JsonNode config = readJson(dir.resolve(CONFIG));
        if (!ConfigJson.modelKind(config).equals("gpt")) {
            throw new IllegalArgumentException(dir + ": config.json describes a '" + ConfigJson.modelKind(config)
                    + "' model, not a GPT");
        }
        GptConfig c = ConfigJson.gptConfig(config);
        GptModel model = new GptModel(c, 0, par);
        try {
            fill(model.parameters(), SafeTensors.read(dir.resolve(WEIGHTS)), dir);
        } catch (RuntimeException | IOException e) {
            model.close();
            throw e;
        }
        return new LoadedGpt(model, ConfigJson.parityTask(config));
    }

    public static void saveTheory(Path dir, TheoryTransformer model, ParityTask task, double lr) throws IOException {
        Files.createDirectories(dir);
        writeJson(dir.resolve(CONFIG), ConfigJson.theory(model.config(), task, lr));
        SafeTensors.write(dir.resolve(WEIGHTS), entries(model.parameters()), metadata("theory"));
    }

    public static LoadedTheory loadTheory(Path dir, Parallel par) throws IOException {
        JsonNode config = readJson(dir.resolve(CONFIG));
        if (!ConfigJson.modelKind(config).equals("theory")) {
            throw new IllegalArgumentException(dir + ": config.json describes a '" + ConfigJson.modelKind(config)
                    + "' model, not the theory model");
        }
        TheoryConfig c = ConfigJson.theoryConfig(config);
        TheoryTransformer model = new TheoryTransformer(c, 0, par);
        fill(model.parameters(), SafeTensors.read(dir.resolve(WEIGHTS)), dir);
        return new LoadedTheory(model, ConfigJson.parityTask(config), config.path("attn4j").path("lr").asDouble());
    }

    private static List<SafeTensors.Entry> entries(List<Parameter> params) {
        List<SafeTensors.Entry> out = new ArrayList<>();
        for (Parameter p : params) {
            out.add(new SafeTensors.Entry(p.name(), p.shape(), p.value().clone()));
        }
        return out;
    }

    private static void fill(List<Parameter> params, SafeTensors.Contents file, Path dir) {
        for (Parameter p : params) {
            SafeTensors.Entry e = file.tensors().get(p.name());
            if (e == null) {
                throw new IllegalArgumentException(dir.resolve(WEIGHTS) + ": missing tensor '" + p.name() + "'");
            }
            if (!Arrays.equals(e.shape(), p.shape())) {
                throw new IllegalArgumentException(dir.resolve(WEIGHTS) + ": tensor '" + p.name() + "' has shape "
                        + Arrays.toString(e.shape()) + ", the configuration expects " + Arrays.toString(p.shape()));
            }
            p.set(e.data());
        }
    }

    private static Map<String, String> metadata(String kind) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "pt");
        m.put("producer", "attn4j-model");
        m.put("attn4j_model", kind);
        return m;
    }

    static void writeJson(Path file, ObjectNode node) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(node) + System.lineSeparator());
    }

    static JsonNode readJson(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": not found (a model directory holds " + CONFIG + " and "
                    + WEIGHTS + ")");
        }
        return JSON.readTree(file.toFile());
    }
}
