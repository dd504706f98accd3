package org.attn4j.model.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Stroke;
import java.awt.geom.Path2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One set of axes drawn with Java2D: a linear or log10 scale on each axis, ticks, labels, lines, markers and a
 * legend. Enough for the paper's figures without a plotting library.
 */
final class Chart {
    /** Marker shapes. */
    enum Marker { CIRCLE, OPEN_TRIANGLE_UP, NONE }

    private final Graphics2D g;
    private final int left;
    private final int top;
    private final int width;
    private final int height;
    private final double x0;
    private final double x1;
    private final double y0;
    private final double y1;
    private final boolean logX;
    private final boolean logY;
    private final List<String> legendLabels = new ArrayList<>();
    private final List<Color> legendColors = new ArrayList<>();
    private final List<Boolean> legendDashed = new ArrayList<>();

    /** Axes occupying {@code [left, left + width] x [top, top + height]} pixels, data range {@code x0..x1, y0..y1}. */
    Chart(Graphics2D g, int left, int top, int width, int height, double x0, double x1, double y0, double y1,
          boolean logX, boolean logY) {
        if (logY && !(y0 > 0 && y1 > y0)) {
            throw new IllegalArgumentException("log y axis: expected 0 < y0 < y1, got " + y0 + ", " + y1);
        }
        if (logX && !(x0 > 0 && x1 > x0)) {
            throw new IllegalArgumentException("log x axis: expected 0 < x0 < x1, got " + x0 + ", " + x1);
        }
        this.logX = logX;
        this.g = g;
        this.left = left;
        this.top = top;
        this.width = width;
        this.height = height;
        this.x0 = x0;
        this.x1 = x1 == x0 ? x0 + 1 : x1;
        this.y0 = y0;
        this.y1 = y1 == y0 ? y0 + 1 : y1;
        this.logY = logY;
    }

    double px(double x) {
        double f = logX ? (Math.log10(x) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0)) : (x - x0) / (x1 - x0);
        return left + f * width;
    }

    double py(double y) {
        double f = logY ? (Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0)) : (y - y0) / (y1 - y0);
        return top + height - f * height;
    }

    /** Frame, ticks and labels. {@code xTicks}: the x values to label (powers of ten on a log x axis if null). */
    void axes(String title, String xLabel, String yLabel, double[] xTicks) {
        if (xTicks == null) {
            List<Double> ticks = new ArrayList<>();
            for (int e = (int) Math.ceil(Math.log10(x0)); e <= Math.floor(Math.log10(x1)); e++) {
                ticks.add(Math.pow(10, e));
            }
            xTicks = ticks.stream().mapToDouble(Double::doubleValue).toArray();
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(left, top, width, height);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(title, left, top - 10);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        for (double x : xTicks) {
            int xp = (int) Math.round(px(x));
            g.drawLine(xp, top + height, xp, top + height + 4);
            String s = label(x);
            g.drawString(s, xp - fm.stringWidth(s) / 2, top + height + 16);
        }
        g.drawString(xLabel, left + width / 2 - fm.stringWidth(xLabel) / 2, top + height + 32);
        if (logY) {
            for (int e = (int) Math.ceil(Math.log10(y0)); e <= Math.floor(Math.log10(y1)); e++) {
                int yp = (int) Math.round(py(Math.pow(10, e)));
                g.setColor(new Color(225, 225, 225));
                g.drawLine(left + 1, yp, left + width - 1, yp);
                g.setColor(Color.BLACK);
                g.drawLine(left - 4, yp, left, yp);
                String s = "1e" + e;
                g.drawString(s, left - 8 - fm.stringWidth(s), yp + 4);
            }
        } else {
            for (int t = 0; t <= 5; t++) {
                double y = y0 + (y1 - y0) * t / 5;
                int yp = (int) Math.round(py(y));
                g.setColor(new Color(225, 225, 225));
                g.drawLine(left + 1, yp, left + width - 1, yp);
                g.setColor(Color.BLACK);
                g.drawLine(left - 4, yp, left, yp);
                String s = label(y);
                g.drawString(s, left - 8 - fm.stringWidth(s), yp + 4);
            }
        }
        Graphics2D r = (Graphics2D) g.create();
        r.rotate(-Math.PI / 2);
        r.drawString(yLabel, -(top + height / 2) - fm.stringWidth(yLabel) / 2, left - 48);
        r.dispose();
    }

    /** A polyline through the points whose y is finite (and positive on a log axis). */
    void line(double[] xs, double[] ys, Color color, boolean dashed, float widthPx) {
        Path2D.Double path = new Path2D.Double();
        boolean open = false;
        for (int i = 0; i < xs.length; i++) {
            if (!drawable(ys[i]) || (logX && !(xs[i] > 0))) {
                open = false;
                continue;
            }
            if (open) {
                path.lineTo(px(xs[i]), py(ys[i]));
            } else {
                path.moveTo(px(xs[i]), py(ys[i]));
                open = true;
            }
        }
        Stroke old = g.getStroke();
        g.setStroke(dashed ? new BasicStroke(widthPx, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                new float[] {6f, 4f}, 0f) : new BasicStroke(widthPx));
        g.setColor(color);
        g.draw(path);
        g.setStroke(old);
    }

    void marker(double x, double y, Color color, Marker m, int size) {
        if (!drawable(y) || m == Marker.NONE || (logX && !(x > 0))) {
            return;
        }
        int xp = (int) Math.round(px(x));
        int yp = (int) Math.round(py(y));
        g.setColor(color);
        if (m == Marker.CIRCLE) {
            g.fillOval(xp - size / 2, yp - size / 2, size, size);
        } else {
            int[] tx = {xp - size / 2, xp + size / 2, xp};
            int[] ty = {yp + size / 2, yp + size / 2, yp - size / 2};
            g.setStroke(new BasicStroke(1.5f));
            g.drawPolygon(tx, ty, 3);
        }
    }

    void text(double x, double y, String s, Color color) {
        g.setColor(color);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        g.drawString(s, (int) Math.round(px(x)) + 4, (int) Math.round(py(y)) - 4);
    }

    void legendEntry(String label, Color color, boolean dashed) {
        legendLabels.add(label);
        legendColors.add(color);
        legendDashed.add(dashed);
    }

    /** Draws the legend in a corner. */
    void legend(boolean rightSide, boolean bottom) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        int w = 0;
        for (String s : legendLabels) {
            w = Math.max(w, fm.stringWidth(s));
        }
        int boxW = w + 44;
        int boxH = legendLabels.size() * 16 + 8;
        int bx = rightSide ? left + width - boxW - 8 : left + 8;
        int by = bottom ? top + height - boxH - 8 : top + 8;
        g.setColor(new Color(255, 255, 255, 230));
        g.fillRect(bx, by, boxW, boxH);
        g.setColor(Color.GRAY);
        g.drawRect(bx, by, boxW, boxH);
        for (int i = 0; i < legendLabels.size(); i++) {
            int yy = by + 14 + i * 16;
            Stroke old = g.getStroke();
            g.setStroke(legendDashed.get(i) ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                    new float[] {6f, 4f}, 0f) : new BasicStroke(2f));
            g.setColor(legendColors.get(i));
            g.drawLine(bx + 6, yy - 4, bx + 32, yy - 4);
            g.setStroke(old);
            g.setColor(Color.BLACK);
            g.drawString(legendLabels.get(i), bx + 38, yy);
        }
    }

    private boolean drawable(double y) {
        return Double.isFinite(y) && (!logY || y > 0);
    }

    static String label(double v) {
        if (v >= 1e5 && Math.log10(v) == Math.rint(Math.log10(v))) {
            return "1e" + (int) Math.rint(Math.log10(v));
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e7) {
            if (Math.abs(v) >= 1000 && v % 1000 == 0) {
                return String.format(Locale.ROOT, "%dk", (long) v / 1000);
            }
            return String.valueOf((long) v);
        }
        return String.format(Locale.ROOT, "%.2g", v);
    }
}
