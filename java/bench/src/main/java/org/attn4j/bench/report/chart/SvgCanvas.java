package org.attn4j.bench.report.chart;

import java.util.Locale;

/** Builds an inline {@code <svg>} element (no namespace URL needed inside HTML5, no external references). */
public final class SvgCanvas implements ChartCanvas {
    private final StringBuilder sb = new StringBuilder();
    private final int width;
    private final int height;

    public SvgCanvas(int width, int height, String title) {
        this.width = width;
        this.height = height;
        sb.append("<svg width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" role=\"img\" font-family=\"sans-serif\"><title>").append(escape(title))
                .append("</title>\n");
    }

    @Override
    public void line(double x1, double y1, double x2, double y2, String color, double w, boolean dashed) {
        sb.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"%s/>%n",
                x1, y1, x2, y2, color, w, dashed ? " stroke-dasharray=\"6 4\"" : ""));
    }

    @Override
    public void polyline(double[] xs, double[] ys, String color, double w, boolean dashed) {
        sb.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"")
                .append(String.format(Locale.ROOT, "%.1f", w)).append('"')
                .append(dashed ? " stroke-dasharray=\"6 4\"" : "").append(" points=\"");
        for (int i = 0; i < xs.length; i++) {
            sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", xs[i], ys[i]));
        }
        sb.append("\"/>\n");
    }

    @Override
    public void circle(double cx, double cy, double r, String color) {
        sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>%n", cx, cy, r,
                color));
    }

    @Override
    public void rect(double x, double y, double w, double h, String fill, String stroke) {
        sb.append(String.format(Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" stroke=\"%s\"/>%n", x, y, w, h,
                fill == null ? "none" : fill, stroke == null ? "none" : stroke));
    }

    @Override
    public void text(double x, double y, String text, double size, Anchor anchor, String color, boolean vertical) {
        String a = anchor == Anchor.START ? "start" : anchor == Anchor.MIDDLE ? "middle" : "end";
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" fill=\"%s\""
                + " text-anchor=\"%s\"%s>", x, y, size, color, a,
                vertical ? String.format(Locale.ROOT, " transform=\"rotate(-90 %.1f %.1f)\"", x, y) : ""));
        sb.append(escape(text)).append("</text>\n");
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The finished element. */
    public String toSvg() {
        return sb + "</svg>\n";
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
