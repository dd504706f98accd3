package org.attn4j.model.plot;

import java.awt.BasicStroke;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.attn4j.model.parity.EvalPoint;
import org.attn4j.model.parity.ParityResult;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Several runs' evaluation histories against the training samples, in three panels: exact match, the normalised
 * attention entropy (the CoT-row mean where a run has CoT, else Eq. 1's minimum over rows, smallest over layers and
 * heads) and the smallest per-row attention weight on the secret (CoT runs). The figures of the paper that follow
 * training (4, 5, 9) are of this kind.
 */
public final class TrainingCurves {
    private TrainingCurves() {
    }

    /** A run and its name in the legend. */
    public record Run(String label, ParityResult result) {
    }

    public static void write(Path file, String title, List<Run> runs) throws IOException {
        List<XYChart> panels = new ArrayList<>();
        panels.add(panel(title + ": exact match", "exact match (held out)", runs, p -> p.exactMatch(), false));
        panels.add(panel("attention entropy", "entropy: CoT-row mean (CoT) or Eq. 1 min", runs,
                TrainingCurves::entropy, false));
        if (runs.stream().anyMatch(r -> r.result().cot())) {
            panels.add(panel("attention on the secret", "smallest per-row weight on the secret", runs,
                    p -> p.secretProbabilityMin() == null ? Double.NaN : p.secretProbabilityMin(), true));
        }
        PlotStyle.write(file, panels, panels.size());
    }

    private static XYChart panel(String title, String yLabel, List<Run> runs, ToDoubleFunction<EvalPoint> metric,
                                 boolean cotOnly) {
        XYChart c = PlotStyle.panel(title, "training samples", yLabel);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(1.05);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        int i = 0;
        for (Run r : runs) {
            int colour = i++;
            if (cotOnly && !r.result().cot()) {
                continue;
            }
            List<double[]> points = new ArrayList<>();
            for (EvalPoint p : r.result().history()) {
                points.add(new double[] {p.samples(), metric.applyAsDouble(p)});
            }
            PlotStyle.series(c, r.label(), points, PlotStyle.color(colour), new BasicStroke(2f), SeriesMarkers.NONE,
                    true);
        }
        return c;
    }

    static double entropy(EvalPoint p) {
        double[][] e = p.cotEntropyMean() != null ? p.cotEntropyMean() : p.entropy();
        double m = Double.POSITIVE_INFINITY;
        for (double[] layer : e) {
            for (double v : layer) {
                m = Math.min(m, v);
            }
        }
        return m;
    }
}
