package org.attn4j.bench.report.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.BasicStroke;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.w3c.dom.Element;

class LineChartRendererTest {
    private static final LineChart CHART = new LineChart("c", "TFLOP/s vs sequence length", "sequence length",
            "TFLOP/s", true, List.of(
                    new Series("cpu dense", List.of(new double[] {2048, 2}, new double[] {512, 1},
                            new double[] {1024, Double.NaN}, new double[] {0, 5}), 0, false, true),
                    new Series("numpy dense", List.of(new double[] {512, 1.5}), 1, true, false),
                    new Series("only bad points", List.of(new double[] {-1, 1}, new double[] {8, Double.NaN}), 2,
                            false, true)));

    @Test
    void seriesKeepTheirStyleAndOnlyDrawablePoints() {
        XYChart c = LineChartRenderer.toXChart(CHART, 640, 400);
        assertEquals(List.of("cpu dense", "numpy dense"), List.copyOf(c.getSeriesMap().keySet()),
                "a series with nothing drawable is left out");
        XYSeries cpu = c.getSeriesMap().get("cpu dense");
        assertEquals(List.of(9.0, 11.0), List.of(cpu.getXData()[0], cpu.getXData()[1]),
                "NaN and x <= 0 on a log axis dropped, the rest in x order, as log2");
        assertEquals(LineChartRenderer.PALETTE[0], cpu.getLineColor());
        assertEquals(SeriesMarkers.CIRCLE, cpu.getMarker());
        XYSeries numpy = c.getSeriesMap().get("numpy dense");
        assertEquals(LineChartRenderer.PALETTE[1], numpy.getLineColor());
        assertTrue(numpy.getLineStyle().getDashArray() != null, "peers dashed");
        assertEquals(SeriesMarkers.CIRCLE, numpy.getMarker(), "a lone point gets a marker to be seen at all");
        assertEquals(null, ((BasicStroke) cpu.getLineStyle()).getDashArray());
    }

    @Test
    void theLogAxisIsLabelledAtPowersOfTwo() {
        assertEquals("512", LineChartRenderer.powerOfTwoLabel(9));
        assertEquals("1k", LineChartRenderer.powerOfTwoLabel(10));
        assertEquals("16k", LineChartRenderer.powerOfTwoLabel(14));
        assertEquals("", LineChartRenderer.powerOfTwoLabel(9.5));
    }

    @Test
    void pngHasTheSizeAskedAndSomethingOnIt(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("c.png");
        LineChartRenderer.writePng(CHART, png, 640, 400);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(640, img.getWidth());
        assertEquals(400, img.getHeight());
        java.util.Set<Integer> colors = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                colors.add(img.getRGB(x, y));
            }
        }
        assertTrue(colors.contains(LineChartRenderer.PALETTE[0].getRGB()), "the first series' colour is drawn");
    }

    /** One x value that is not a power of two on a log axis: XChart's ticks fall between powers, labelled blank. */
    @Test
    void aLogAxisWithOnePointBetweenPowersOfTwoDraws(@TempDir Path dir) throws IOException {
        LineChart one = new LineChart("one", "one context", "context", "ms", true,
                List.of(new Series("dense", List.of(new double[] {200, 0.4}), 0, false, true)));
        Path png = dir.resolve("one.png");
        LineChartRenderer.writePng(one, png, 640, 400);
        assertEquals(640, ImageIO.read(png.toFile()).getWidth());
    }

    @Test
    void inlineSvgIsOneWellFormedSvgElementWithoutProlog() throws Exception {
        String svg = LineChartRenderer.inlineSvg(CHART, 640, 400);
        assertTrue(svg.startsWith("<svg"), svg.substring(0, 80));
        assertFalse(svg.contains("<?xml") || svg.contains("<!DOCTYPE") || svg.contains("http"),
                "nothing HTML5 does not need");
        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
        assertEquals("svg", root.getTagName());
        assertEquals("0 0 640 400", root.getAttribute("viewBox"));
        assertTrue(root.getElementsByTagName("path").getLength() > 10, "lines and text outlines drawn");
    }
}
