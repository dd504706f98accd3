package org.attn4j.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.attn4j.Normalizer;
import org.attn4j.mask.BlockTopK;
import org.attn4j.model.gpt.GptConfig;
import org.attn4j.model.gpt.LayerAttention;
import org.attn4j.model.nn.Precision;
import org.attn4j.model.parity.ParityTask;
import org.attn4j.model.theory.TheoryConfig;

/**
 * JSON forms of the model configurations. A GPT configuration uses Hugging Face's GPT-2 keys ({@code n_embd},
 * {@code n_layer}, ...), the keys {@code GPT2LMHeadModel} reads for a dense softmax model; what GPT-2 has no key for
 * (each layer's normaliser and masks, the parity task) sits under {@code "attn4j"}.
 */
public final class ConfigJson {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private ConfigJson() {
    }

    public static ObjectNode gpt(GptConfig c, ParityTask task) {
        ObjectNode o = F.objectNode();
        o.put("model_type", "gpt2");
        o.putArray("architectures").add("GPT2LMHeadModel");
        o.put("vocab_size", c.vocabSize());
        o.put("n_positions", c.contextLength());
        o.put("n_ctx", c.contextLength());
        o.put("n_embd", c.dModel());
        o.put("n_layer", c.layers());
        o.put("n_head", c.heads());
        o.put("n_inner", c.mlpHidden());
        o.put("activation_function", "gelu_new");
        o.put("layer_norm_epsilon", c.layerNormEps());
        o.put("resid_pdrop", c.dropout());
        o.put("embd_pdrop", c.dropout());
        o.put("attn_pdrop", c.attentionDropout());
        o.put("torch_dtype", c.precision() == Precision.BF16 ? "bfloat16" : "float32");
        o.put("initializer_range", c.initStd());
        o.put("tie_word_embeddings", c.tieEmbeddings());
        ObjectNode a = o.putObject("attn4j");
        a.put("format", 1);
        a.put("model", "gpt");
        ArrayNode layers = a.putArray("attention");
        for (LayerAttention la : c.attention()) {
            ObjectNode l = layers.addObject();
            l.put("normalizer", la.normalizer().label());
            l.put("window", la.window());
            l.put("global_tokens", la.globalTokens());
            l.put("token_top_k", la.tokenTopK());
            if (la.blockTopK() != null) {
                l.putObject("block_top_k").put("k", la.blockTopK().k()).put("block_q", la.blockTopK().blockQ())
                        .put("block_k", la.blockTopK().blockK());
            } else {
                l.putNull("block_top_k");
            }
        }
        if (task != null) {
            a.set("parity", parity(task));
        }
        return o;
    }

    public static GptConfig gptConfig(JsonNode o) {
        int layers = required(o, "n_layer").asInt();
        List<LayerAttention> attention = new ArrayList<>();
        JsonNode list = o.path("attn4j").path("attention");
        for (int l = 0; l < layers; l++) {
            JsonNode la = list.path(l);
            if (la.isMissingNode()) {
                attention.add(LayerAttention.dense());
                continue;
            }
            JsonNode b = la.path("block_top_k");
            BlockTopK btk = b.isObject() ? BlockTopK.of(b.path("k").asInt(), b.path("block_q").asInt(),
                    b.path("block_k").asInt()) : null;
            attention.add(new LayerAttention(Normalizer.parse(la.path("normalizer").asText("softmax")),
                    la.path("window").asInt(-1), la.path("global_tokens").asInt(0),
                    la.path("token_top_k").asInt(0), btk));
        }
        int d = required(o, "n_embd").asInt();
        JsonNode inner = o.path("n_inner");
        return new GptConfig(required(o, "vocab_size").asInt(), required(o, "n_positions").asInt(), d, layers,
                required(o, "n_head").asInt(), inner.isNumber() ? inner.asInt() : 4 * d,
                (float) o.path("layer_norm_epsilon").asDouble(1e-5), (float) o.path("resid_pdrop").asDouble(0),
                o.path("tie_word_embeddings").asBoolean(true), o.path("initializer_range").asDouble(0.02),
                attention, (float) o.path("attn_pdrop").asDouble(0),
                Precision.parse(o.path("torch_dtype").asText("float32")));
    }

    public static ObjectNode theory(TheoryConfig c, ParityTask task, double lr) {
        ObjectNode o = F.objectNode();
        ObjectNode a = o.putObject("attn4j");
        a.put("format", 1);
        a.put("model", "theory");
        a.put("length", c.length());
        a.put("dim", c.dim());
        a.put("half_width", c.halfWidth());
        a.put("epsilon", c.epsilon());
        ArrayNode rows = a.putArray("init_rows");
        for (int r : c.initRows()) {
            rows.add(r);
        }
        a.put("lr", lr);
        if (task != null) {
            a.set("parity", parity(task));
        }
        return o;
    }

    public static TheoryConfig theoryConfig(JsonNode o) {
        JsonNode a = required(o, "attn4j");
        JsonNode rows = required(a, "init_rows");
        int[] r = new int[rows.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = rows.get(i).asInt();
        }
        return new TheoryConfig(required(a, "length").asInt(), required(a, "dim").asInt(),
                required(a, "half_width").asInt(), required(a, "epsilon").asDouble(), r);
    }

    public static ObjectNode parity(ParityTask task) {
        ObjectNode p = F.objectNode();
        p.put("n", task.n());
        p.put("k", task.k());
        p.put("cot", task.cot());
        if (!task.cot() && task.endOfInput()) {
            p.put("end_of_input", true);
        }
        ArrayNode s = p.putArray("secret");
        for (int i : task.secret()) {
            s.add(i);
        }
        return p;
    }

    /** The parity task recorded in a configuration, or null. */
    public static ParityTask parityTask(JsonNode config) {
        JsonNode p = config.path("attn4j").path("parity");
        if (!p.isObject()) {
            return null;
        }
        JsonNode s = p.path("secret");
        int[] secret = new int[s.size()];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = s.get(i).asInt();
        }
        ParityTask task = ParityTask.of(p.path("n").asInt(), p.path("cot").asBoolean(), secret);
        return p.path("end_of_input").asBoolean(false) ? task.withEndOfInput() : task;
    }

    /** {@code "gpt"} or {@code "theory"} ({@code "gpt"} for a plain Hugging Face GPT-2 configuration). */
    public static String modelKind(JsonNode config) {
        return config.path("attn4j").path("model").asText("gpt");
    }

    private static JsonNode required(JsonNode o, String key) {
        JsonNode v = o.path(key);
        if (v.isMissingNode() || v.isNull()) {
            throw new IllegalArgumentException("config: missing key '" + key + "'");
        }
        return v;
    }
}
