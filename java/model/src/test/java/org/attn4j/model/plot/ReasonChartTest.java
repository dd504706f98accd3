package org.attn4j.model.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rows of reasoning-run JSON and the figures drawn from them. */
class ReasonChartTest {
    private static final String RUN = "{\"task\": \"pointer\", \"accuracy\": 0.5, \"samples_to_converge\": null,"
            + " \"settings\": {\"task\": \"pointer\", \"n\": 16, \"attention\": \"%s\", \"feature_mask\": %s},"
            + " \"tests\": [{\"decode_attention\": \"as trained\", \"input_length\": 16, \"accuracy\": 1.0,"
            + " \"pairs\": {\"cross\": [1, 2]}}, {\"decode_attention\": \"tokentopk:1\", \"input_length\": 64,"
            + " \"accuracy\": 0.25}]}";

    @Test
    void rowsFlattenEachTestWithTheRunsSettingsAndDerivedFields(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        Files.writeString(a, String.format(RUN, "tokentopk:0.7", "0.3"));
        Files.writeString(b, String.format(RUN, "dense", "0.5"));
        List<Map<String, Object>> rows = ReasonChart.rows(List.of(a, b));
        assertEquals(4, rows.size());
        Map<String, Object> first = rows.get(0);
        assertEquals(1.0, first.get("accuracy"), "the test's accuracy wins over the run's");
        assertEquals(16.0, first.get("n"));
        assertEquals("tokentopk", first.get("sparsity"));
        assertEquals("tokentopk + M_t", first.get("variant"));
        assertEquals(0.3, first.get("alpha"), "the feature mask's alpha when it is on");
        assertEquals("M_t", rows.get(2).get("variant"));
        assertEquals(0.5, rows.get(2).get("alpha"));
        assertEquals(null, first.get("samples_to_converge"));
        assertEquals("64", ReasonChart.text(rows.get(1).get("input_length")));

        Path png = dir.resolve("f.png");
        ReasonChart.write(png, new ReasonChart.Spec(ReasonChart.Kind.LINES, "input_length", List.of("accuracy"),
                List.of("decode_attention"), Map.of(), true, true, "t"), rows);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(ReasonChart.PANEL_WIDTH, img.getWidth());
        ReasonChart.write(png, new ReasonChart.Spec(ReasonChart.Kind.BARS, "variant", List.of("accuracy", "alpha"),
                List.of("task"), Map.of("decode_attention", "as trained"), false, false, null), rows);
        assertEquals(2 * ReasonChart.PANEL_WIDTH, ImageIO.read(png.toFile()).getWidth());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> ReasonChart.write(png,
                new ReasonChart.Spec(ReasonChart.Kind.BARS, "task", List.of("accuracy"), List.of(),
                        Map.of("input_length", "32"), false, false, null), rows));
        assertTrue(none.getMessage().startsWith("where: no row"), none.getMessage());
    }

    @Test
    void aFileThatIsNoRunIsRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.json");
        Files.writeString(f, "{\"n\": 20}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReasonChart.rows(List.of(f)));
        assertTrue(e.getMessage().endsWith("not the JSON of a reasoning run (no tests or settings)"), e.getMessage());
    }
}
