package org.attn4j.model.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.attn4j.model.parity.EvalPoint;
import org.attn4j.model.parity.ParityResult;
import org.attn4j.model.parity.SweepResult;

/**
 * The paper's Figure 1 from a sweep: (a) sample complexity against {@code k} on a log axis, with CoT (blue) and
 * without (orange), one dot per seed, a line through the medians, open triangles at the budget for runs that never
 * reached exact match 1.0; (b) the normalised attention entropy (smallest over layers and heads) along training for
 * the first seed of every {@code (k, cot)}, solid with CoT, dashed without, a dot where exact match first reached 1.0.
 */
public final class Figure1 {
    static final Color COT = new Color(0x1F, 0x77, 0xB4);
    static final Color NO_COT = new Color(0xFF, 0x7F, 0x0E);
    private static final Color[] K_COLORS = {
        new Color(0x1F, 0x77, 0xB4), new Color(0xFF, 0x7F, 0x0E), new Color(0x2C, 0xA0, 0x2C),
        new Color(0xD6, 0x27, 0x28), new Color(0x94, 0x67, 0xBD), new Color(0x8C, 0x56, 0x4B),
        new Color(0xE3, 0x77, 0xC2), new Color(0x7F, 0x7F, 0x7F)
    };

    private Figure1() {
    }

    public static void write(Path file, SweepResult sweep) throws IOException {
        int w = 1200;
        int h = 520;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(String.format(Locale.ROOT, "Parity n=%d, %s %d layer(s) x %d head(s), dim %d, lr %.1e, "
                            + "batch %d; seeds with CoT %s, without %s", sweep.n(), sweep.model(), sweep.layers(),
                    sweep.heads(), sweep.dim(), sweep.lr(), sweep.batch(), seeds(sweep, true), seeds(sweep, false)),
                    20, 24);
            sampleComplexity(g, sweep, 90, 70, 460, 370);
            entropy(g, sweep, 680, 70, 480, 370);
        } finally {
            g.dispose();
        }
        PngFile.write(img, file);
    }

    private static void sampleComplexity(Graphics2D g, SweepResult s, int left, int top, int width, int height) {
        // Every k of the grid, with or without CoT (the no-CoT ks may lie outside the CoT ones).
        java.util.TreeSet<Integer> allKs = new java.util.TreeSet<>(s.ks());
        s.summary().forEach(p -> allKs.add(p.k()));
        int kMin = allKs.isEmpty() ? 1 : allKs.first();
        int kMax = allKs.isEmpty() ? 1 : allKs.last();
        double yMax = Math.max(s.cotBudget(), s.noCotBudget());
        double yMin = yMax;
        for (SweepResult.Point p : s.summary()) {
            for (Long c : p.sampleComplexities()) {
                if (c != null && c > 0) {
                    yMin = Math.min(yMin, c);
                }
            }
        }
        yMin = Math.pow(10, Math.floor(Math.log10(Math.max(1, yMin))));
        // A decade of head room above the budgets keeps the legend clear of the budget markers.
        yMax = Math.pow(10, Math.ceil(Math.log10(yMax * 1.5)) + 1);
        Chart c = new Chart(g, left, top, width, height, kMin - 0.3, kMax + 0.3, yMin, yMax, false, true);
        double[] ticks = allKs.stream().mapToDouble(Integer::doubleValue).toArray();
        c.axes("(a) sample complexity (samples at the first exact match 1.0)", "k (secret size)",
                "training samples", ticks);
        for (boolean cot : new boolean[] {true, false}) {
            Color color = cot ? COT : NO_COT;
            double budget = cot ? s.cotBudget() : s.noCotBudget();
            boolean any = false;
            List<Double> mx = new ArrayList<>();
            List<Double> my = new ArrayList<>();
            for (SweepResult.Point p : s.summary()) {
                if (p.cot() != cot) {
                    continue;
                }
                any = true;
                double offset = cot ? -0.06 : 0.06;
                for (Long v : p.sampleComplexities()) {
                    if (v != null) {
                        c.marker(p.k() + offset, v, color, Chart.Marker.CIRCLE, 7);
                    } else {
                        c.marker(p.k() + offset, budget, color, Chart.Marker.OPEN_TRIANGLE_UP, 10);
                    }
                }
                mx.add((double) p.k());
                my.add(p.medianSampleComplexity() == null ? Double.NaN : p.medianSampleComplexity());
            }
            if (!any) {
                continue;
            }
            double[] xs = mx.stream().mapToDouble(Double::doubleValue).toArray();
            double[] ys = my.stream().mapToDouble(Double::doubleValue).toArray();
            // Where the median is censored (at least half the seeds hit the budget) the line continues, dashed, to
            // the budget: the sample complexity is at least that.
            double[] censored = new double[ys.length];
            for (int i = 0; i < ys.length; i++) {
                censored[i] = Double.isNaN(ys[i]) ? budget : ys[i];
            }
            c.line(xs, censored, color, true, 1.5f);
            c.line(xs, ys, color, false, 2.5f);
            c.line(new double[] {kMin - 0.3, kMax + 0.3}, new double[] {budget, budget}, color, true, 1f);
            c.text(kMin - 0.25, budget, (cot ? "CoT" : "no CoT") + " budget", color);
            c.legendEntry(cot ? "with CoT (median)" : "without CoT (median)", color, false);
        }
        c.legendEntry("triangle / dashed: budget reached, no exact match 1.0", Color.GRAY, true);
        c.legend(false, false);
    }

    private static void entropy(Graphics2D g, SweepResult s, int left, int top, int width, int height) {
        double xMax = 1;
        for (ParityResult r : s.runs()) {
            xMax = Math.max(xMax, r.samplesSeen());
        }
        double xMin = 1000;
        xMax = Math.pow(10, Math.ceil(Math.log10(xMax)));
        Chart c = new Chart(g, left, top, width, height, xMin, xMax, 0, 1.05, true, false);
        c.axes("(b) normalised attention entropy during training (first seed)", "training samples",
                "normalised entropy (Eq. 1)", null);
        // The first run of each (k, CoT) cell: with and without CoT may use different seeds.
        java.util.Set<String> drawn = new java.util.HashSet<>();
        java.util.TreeSet<Integer> ks = new java.util.TreeSet<>(s.ks());
        s.summary().forEach(p -> ks.add(p.k()));
        List<Integer> order = new ArrayList<>(ks);
        for (ParityResult r : s.runs()) {
            if (!drawn.add(r.k() + (r.cot() ? " CoT" : " no CoT"))) {
                continue;
            }
            // One colour per k of this sweep, in order, so that any set of k values stays distinguishable.
            Color color = K_COLORS[Math.max(0, order.indexOf(r.k())) % K_COLORS.length];
            List<EvalPoint> hist = r.history();
            double[] xs = new double[hist.size()];
            double[] ys = new double[hist.size()];
            for (int i = 0; i < hist.size(); i++) {
                // The evaluation before any training sits at the left edge.
                xs[i] = Math.max(xMin, hist.get(i).samples());
                ys[i] = minEntropy(hist.get(i).entropy());
            }
            c.line(xs, ys, color, !r.cot(), 2f);
            if (r.sampleComplexity() != null) {
                c.marker(r.sampleComplexity(), ys[ys.length - 1], color, Chart.Marker.CIRCLE, 8);
            }
            c.legendEntry("k=" + r.k() + (r.cot() ? " CoT" : " no CoT"), color, !r.cot());
        }
        c.legend(true, true);
    }

    private static java.util.Set<Long> seeds(SweepResult s, boolean cot) {
        java.util.Set<Long> out = new java.util.TreeSet<>();
        for (ParityResult r : s.runs()) {
            if (r.cot() == cot) {
                out.add(r.seed());
            }
        }
        return out;
    }

    private static double minEntropy(double[][] entropy) {
        double m = Double.POSITIVE_INFINITY;
        for (double[] layer : entropy) {
            for (double e : layer) {
                m = Math.min(m, e);
            }
        }
        return m;
    }
}
