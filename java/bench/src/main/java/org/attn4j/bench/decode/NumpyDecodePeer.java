package org.attn4j.bench.decode;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.attn4j.bench.peers.PeerScripts;
import org.attn4j.bench.results.JsonCodec;

/**
 * Runs {@code ci/peers/numpy_decode_peer.py} on the cache attn4j just measured: writes the cache as raw float32
 * files and a plan, runs the script as a subprocess, and reads back its times and outputs.
 */
final class NumpyDecodePeer {
    static final String SCRIPT = "numpy_decode_peer.py";

    /** The peer's result for one mask. */
    record Result(String status, String note, Double msBest, Double msMedian, float[] output) {
    }

    private final String python;
    private final Path dir;
    private final double timeoutSeconds;
    private Path script;

    NumpyDecodePeer(String python, Path dir, double timeoutSeconds) {
        this.python = python;
        this.dir = dir;
        this.timeoutSeconds = timeoutSeconds;
    }

    /**
     * Runs every mask at one context; the map holds one result per mask label (a status without times when the
     * peer could not run).
     */
    Map<String, Result> run(Map<String, Object> shape, float[] keys, float[] values, float[] queries,
                            List<Map<String, Object>> masks, int outputSize, Map<String, String> env) {
        Map<String, Result> out = new LinkedHashMap<>();
        try {
            Files.createDirectories(dir);
            if (script == null) {
                script = PeerScripts.extractTo(dir.resolve("peers")).resolve(SCRIPT);
            }
            Map<String, Object> plan = new LinkedHashMap<>(shape);
            plan.put("schema", "attn4j-decode-plan/1");
            plan.put("keys", write(dir.resolve("keys.f32"), keys).toString());
            plan.put("values", write(dir.resolve("values.f32"), values).toString());
            plan.put("queries", write(dir.resolve("queries.f32"), queries).toString());
            List<Map<String, Object>> withOut = new ArrayList<>();
            for (int m = 0; m < masks.size(); m++) {
                Map<String, Object> mask = new LinkedHashMap<>(masks.get(m));
                Path o = dir.resolve("numpy-out-" + m + ".f32");
                Files.deleteIfExists(o);
                mask.put("out", o.toString());
                withOut.add(mask);
            }
            plan.put("masks", withOut);
            Path planFile = dir.resolve("plan.json");
            Path results = dir.resolve("numpy.json");
            Files.deleteIfExists(results);
            JsonCodec.write(plan, planFile);
            ProcessBuilder pb = new ProcessBuilder(python, script.toString(), "--plan", planFile.toString(), "--out",
                    results.toString()).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor((long) (timeoutSeconds * 1000), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return failed(masks, "timed out after " + timeoutSeconds + " s");
            }
            if (!Files.isRegularFile(results)) {
                return failed(masks, "exit status " + p.exitValue() + ", no results written");
            }
            JsonNode doc = JsonCodec.mapper().readTree(results.toFile());
            if (!"ok".equals(doc.path("status").asText())) {
                return failed(masks, doc.path("note").asText("peer did not run"));
            }
            JsonNode rows = doc.path("rows");
            for (int m = 0; m < masks.size(); m++) {
                JsonNode r = rows.get(m);
                String label = (String) masks.get(m).get("label");
                if (r == null || !"ok".equals(r.path("status").asText())) {
                    out.put(label, new Result(r == null ? "error" : r.path("status").asText(),
                            r == null ? "no row" : r.path("note").asText(), null, null, null));
                    continue;
                }
                out.put(label, new Result("ok", r.path("note").asText(""), r.path("ms_best").asDouble(),
                        r.path("ms_median").asDouble(),
                        read(Path.of((String) withOut.get(m).get("out")), outputSize)));
            }
            return out;
        } catch (IOException e) {
            return failed(masks, "cannot run '" + python + "': " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(masks, "interrupted");
        }
    }

    /** The NumPy version the last run reported, for the document. */
    static String version(Path results) {
        try {
            return JsonCodec.mapper().readTree(results.toFile()).path("numpy").asText(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    Path resultsFile() {
        return dir.resolve("numpy.json");
    }

    private static Map<String, Result> failed(List<Map<String, Object>> masks, String note) {
        Map<String, Result> out = new LinkedHashMap<>();
        for (Map<String, Object> m : masks) {
            out.put((String) m.get("label"), new Result("failed", note, null, null, null));
        }
        return out;
    }

    private static Path write(Path file, float[] x) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(x);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
        return file;
    }

    private static float[] read(Path file, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (buf.remaining() != n * 4) {
            throw new IOException(file + ": expected " + n * 4 + " bytes, got " + buf.remaining());
        }
        float[] x = new float[n];
        buf.asFloatBuffer().get(x);
        return x;
    }
}
