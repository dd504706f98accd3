package org.attn4j.bench.report.chart;

/** The few drawing operations a chart needs; implemented for SVG text and for Java2D images. Colors are #rrggbb. */
public interface ChartCanvas {

    enum Anchor { START, MIDDLE, END }

    void line(double x1, double y1, double x2, double y2, String color, double width, boolean dashed);

    void polyline(double[] xs, double[] ys, String color, double width, boolean dashed);

    void circle(double cx, double cy, double r, String color);

    void rect(double x, double y, double w, double h, String fill, String stroke);

    /** Text with its baseline at {@code y}; {@code vertical} rotates it 90 degrees counter-clockwise about (x, y). */
    void text(double x, double y, String text, double size, Anchor anchor, String color, boolean vertical);
}
