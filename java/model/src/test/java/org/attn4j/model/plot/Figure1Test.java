package org.attn4j.model.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.attn4j.model.io.Json;
import org.attn4j.model.parity.SweepResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

class Figure1Test {
    /** k = 1 converged with CoT at 4096 samples; k = 2 with CoT and k = 1 without hit their budgets. */
    private static final String SWEEP = """
            {"n": 20, "ks": [1, 2], "seeds": [0], "cot_budget": 65536, "no_cot_budget": 8192, "model": "gpt",
             "layers": 1, "heads": 1, "dim": 64, "lr": 0.001, "batch": 64,
             "summary": [
               {"k": 1, "cot": true, "median_sample_complexity": 4096, "sample_complexities": [4096]},
               {"k": 2, "cot": true, "median_sample_complexity": null, "sample_complexities": [null]},
               {"k": 1, "cot": false, "median_sample_complexity": null, "sample_complexities": [null]}],
             "runs": [
               {"k": 1, "cot": true, "seed": 0, "sample_complexity": 4096, "samples_seen": 4096, "history": [
                 {"samples": 0, "entropy": [[1.0]]}, {"samples": 2048, "entropy": [[0.5]]},
                 {"samples": 4096, "entropy": [[0.04, 0.02]]}]},
               {"k": 2, "cot": true, "seed": 0, "samples_seen": 65536, "history": [
                 {"samples": 0, "entropy": [[1.0]]}, {"samples": 65536, "entropy": [[0.3]]}]},
               {"k": 1, "cot": false, "seed": 0, "samples_seen": 8192, "history": [
                 {"samples": 0, "entropy": [[1.0]]}, {"samples": 8192, "entropy": [[0.99]]}]}]}
            """;

    private static SweepResult sweep(Path dir) throws IOException {
        Path json = dir.resolve("sweep.json");
        Files.writeString(json, SWEEP);
        return Json.read(json, SweepResult.class);
    }

    @Test
    void panelAShowsMediansSeedsAndRunsThatHitTheirBudget(@TempDir Path dir) throws IOException {
        XYChart a = Figure1.sampleComplexity(sweep(dir));
        assertTrue(a.getStyler().isYAxisLogarithmic());
        XYSeries median = a.getSeriesMap().get("with CoT (median of seeds [0])");
        assertEquals(1, median.getXData().length, "only k = 1 has a median");
        assertEquals(4096.0, median.getYData()[0]);
        XYSeries censored = a.getSeriesMap().get("with CoT, censored");
        assertEquals(65536.0, censored.getYData()[1], "k = 2 continues, dashed, to the budget");
        XYSeries atBudget = a.getSeriesMap().get("without CoT: budget reached, no exact match 1.0");
        assertEquals(8192.0, atBudget.getYData()[0]);
        assertEquals(1.06, atBudget.getXData()[0], 1e-12, "no-CoT markers sit right of k");
        assertFalse(a.getSeriesMap().containsKey("without CoT (median of seeds [0])"), "no median: none converged");
    }

    @Test
    void panelBDrawsTheEntropyOfEachCellFromItsLeftEdge(@TempDir Path dir) throws IOException {
        XYChart b = Figure1.entropy(sweep(dir));
        assertTrue(b.getStyler().isXAxisLogarithmic());
        XYSeries k1 = b.getSeriesMap().get("k=1 CoT");
        assertEquals(List.of(1000.0, 2048.0, 4096.0), List.of(k1.getXData()[0], k1.getXData()[1], k1.getXData()[2]),
                "the evaluation before training at the left edge");
        assertEquals(0.02, k1.getYData()[2], "the smallest entropy over heads");
        XYSeries reached = b.getSeriesMap().get("k=1 CoT reached 1.0");
        assertFalse(reached.isShowInLegend());
        assertTrue(b.getSeriesMap().get("k=1 no CoT").getLineStyle().getDashArray() != null, "no CoT dashed");
    }

    @Test
    void writesBothPanelsSideBySide(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("out/fig1.png");
        Figure1.write(png, sweep(dir));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(2 * Figure1.PANEL_WIDTH, img.getWidth());
        assertEquals(Figure1.PANEL_HEIGHT, img.getHeight());
        assertTrue(containsColour(img, Figure1.COT.getRGB()) && containsColour(img, Figure1.NO_COT.getRGB()));
    }

    private static boolean containsColour(BufferedImage img, int rgb) {
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) == (rgb & 0xFFFFFF)) {
                    return true;
                }
            }
        }
        return false;
    }
}
