package org.attn4j.model.encdec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.attn4j.Normalizer;
import org.attn4j.model.io.SafeTensors;
import org.attn4j.model.nn.Parallel;
import org.attn4j.model.nn.Parameter;

/**
 * An encoder-decoder model directory, like the GPT's: {@code model.safetensors} (every parameter, F32, under its
 * name) and {@code config.json} (every field of {@link EncDecConfig}, each layer's attention as its command-line label,
 * and whatever the caller records about the task under {@code "task"}).
 */
public final class EncDecCheckpoint {
    public static final String WEIGHTS = "model.safetensors";
    public static final String CONFIG = "config.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private EncDecCheckpoint() {
    }

    /** A loaded model and the task description saved with it (an empty object if none). */
    public record Loaded(EncDecModel model, JsonNode task) {
    }

    public static void save(Path dir, EncDecModel model, Map<String, Object> task) throws IOException {
        Files.createDirectories(dir);
        EncDecConfig c = model.config();
        ObjectNode root = JSON.createObjectNode();
        root.put("model_type", "attn4j-encdec");
        root.put("vocab_size", c.vocabSize());
        root.put("input_fields", c.inputFields());
        root.put("encoder_positions", c.encoderPositions());
        root.put("encoder_length", c.encoderLength());
        root.put("decoder_length", c.decoderLength());
        root.put("d_model", c.dModel());
        root.put("heads", c.heads());
        root.put("encoder_layers", c.encoderLayers());
        root.put("decoder_layers", c.decoderLayers());
        root.put("mlp_hidden", c.mlpHidden());
        root.put("dropout", c.dropout());
        root.put("init_std", c.initStd());
        root.put("feature_mask", c.featureMask());
        root.put("output", c.output().label());
        root.put("mask_seed", c.maskSeed());
        putSpecs(root.putArray("encoder_attention"), c.encoderAttention());
        putSpecs(root.putArray("decoder_attention"), c.decoderAttention());
        putSpecs(root.putArray("cross_attention"), c.crossAttention());
        root.set("task", JSON.valueToTree(task == null ? Map.of() : task));
        Files.writeString(dir.resolve(CONFIG), JSON.writeValueAsString(root) + System.lineSeparator());
        List<SafeTensors.Entry> entries = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            entries.add(new SafeTensors.Entry(p.name(), p.shape(), p.value().clone()));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("producer", "attn4j-model");
        meta.put("attn4j_model", "encdec");
        SafeTensors.write(dir.resolve(WEIGHTS), entries, meta);
    }

    public static Loaded load(Path dir, Parallel par) throws IOException {
        Path file = dir.resolve(CONFIG);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": not found (a model directory holds " + CONFIG + " and "
                    + WEIGHTS + ")");
        }
        JsonNode n = JSON.readTree(file.toFile());
        if (!"attn4j-encdec".equals(n.path("model_type").asText())) {
            throw new IllegalArgumentException(file + ": model_type is '" + n.path("model_type").asText()
                    + "', expected 'attn4j-encdec'");
        }
        EncDecConfig c = new EncDecConfig(n.path("vocab_size").asInt(), n.path("input_fields").asInt(),
                n.path("encoder_positions").asBoolean(), n.path("encoder_length").asInt(),
                n.path("decoder_length").asInt(), n.path("d_model").asInt(), n.path("heads").asInt(),
                n.path("encoder_layers").asInt(), n.path("decoder_layers").asInt(), n.path("mlp_hidden").asInt(),
                (float) n.path("dropout").asDouble(), n.path("init_std").asDouble(), specs(n, "encoder_attention"),
                specs(n, "decoder_attention"), specs(n, "cross_attention"), n.path("feature_mask").asDouble(),
                OutputLayer.parse(n.path("output").asText()), n.path("mask_seed").asLong());
        EncDecModel model = new EncDecModel(c, 0, par);
        try {
            SafeTensors.Contents contents = SafeTensors.read(dir.resolve(WEIGHTS));
            for (Parameter p : model.parameters()) {
                SafeTensors.Entry e = contents.tensors().get(p.name());
                if (e == null) {
                    throw new IllegalArgumentException(dir.resolve(WEIGHTS) + ": missing tensor '" + p.name() + "'");
                }
                if (!Arrays.equals(e.shape(), p.shape())) {
                    throw new IllegalArgumentException(dir.resolve(WEIGHTS) + ": tensor '" + p.name() + "' has shape "
                            + Arrays.toString(e.shape()) + ", the configuration expects "
                            + Arrays.toString(p.shape()));
                }
                p.set(e.data());
            }
        } catch (RuntimeException | IOException e) {
            model.close();
            throw e;
        }
        return new Loaded(model, n.path("task"));
    }

    private static void putSpecs(ArrayNode a, List<AttentionSpec> specs) {
        for (AttentionSpec s : specs) {
            ObjectNode o = a.addObject();
            o.put("normalizer", s.normalizer().label());
            o.put("sparsity", s.sparsity().label());
        }
    }

    private static List<AttentionSpec> specs(JsonNode n, String field) {
        List<AttentionSpec> out = new ArrayList<>();
        for (JsonNode s : n.path(field)) {
            out.add(new AttentionSpec(Normalizer.parse(s.path("normalizer").asText()),
                    Sparsity.parse(s.path("sparsity").asText())));
        }
        return out;
    }
}
