package org.attn4j.model.plot;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.attn4j.model.parity.ParityResult;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

/**
 * The paper's Figure 2: the sample complexity of each (layers, heads) configuration as a heat map, log10 of the
 * samples to exact match 1.0 (a run that did not reach it shows its samples seen, marked in the title as censored).
 */
public final class SampleComplexityGrid {
    private SampleComplexityGrid() {
    }

    public static void write(Path file, String title, List<ParityResult> runs) throws IOException {
        int maxLayers = runs.stream().mapToInt(ParityResult::layers).max().orElse(1);
        int maxHeads = runs.stream().mapToInt(ParityResult::heads).max().orElse(1);
        List<Integer> layers = new ArrayList<>();
        List<Integer> heads = new ArrayList<>();
        for (int l = 1; l <= maxLayers; l++) {
            layers.add(l);
        }
        for (int h = 1; h <= maxHeads; h++) {
            heads.add(h);
        }
        List<Number[]> cells = new ArrayList<>();
        int censored = 0;
        for (ParityResult r : runs) {
            Long v = r.sampleComplexity();
            if (v == null) {
                censored++;
            }
            double samples = v != null ? v : r.samplesSeen();
            cells.add(new Number[] {r.heads() - 1, r.layers() - 1,
                Math.round(Math.log10(Math.max(1, samples)) * 100) / 100.0});
        }
        HeatMapChart c = new HeatMapChartBuilder().width(PlotStyle.WIDTH).height(PlotStyle.HEIGHT)
                .title(String.format(Locale.ROOT, "%s: log10 samples to exact match 1.0%s", title,
                        censored > 0 ? " (" + censored + " censored)" : ""))
                .xAxisTitle("heads").yAxisTitle("layers").build();
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setShowValue(true);
        c.getStyler().setRangeColors(new Color[] {new Color(0xFF, 0xFF, 0xD9), new Color(0x41, 0xB6, 0xC4),
            new Color(0x08, 0x1D, 0x58)});
        c.addSeries("log10 samples", heads, layers, cells);
        PlotStyle.write(file, List.of(c), 1);
    }
}
