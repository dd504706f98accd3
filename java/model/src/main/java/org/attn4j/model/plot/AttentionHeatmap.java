package org.attn4j.model.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import org.attn4j.model.parity.ParityTask;

/**
 * Draws the attention weights of one sequence as a PNG: one panel per layer and head, row {@code i} the query, column
 * {@code j} the key, darker for more weight. Secret input positions are marked in red on the key axis, and on each CoT
 * row the cell of the secret that row depends on is outlined in red (the paper's Figure 3b).
 *
 * <p>Drawn with Java2D, not XChart like the other figures: XChart's heat map cannot outline single cells (its
 * annotations are not placed on heat-map cells), and those outlines are what this figure is for.
 */
public final class AttentionHeatmap {
    private static final int CELL = 16;
    private static final int MARGIN = 64;
    private static final int GAP = 40;
    private static final Color SECRET = new Color(0xD0, 0x20, 0x20);

    private AttentionHeatmap() {
    }

    /**
     * @param attention {@code [layer][heads * length * length]}: the weights of this one sequence
     * @param tokens    the sequence ({@code length} tokens)
     * @param title     drawn at the top
     */
    public static void write(Path file, float[][] attention, int heads, int[] tokens, ParityTask task, String title)
            throws IOException {
        int len = tokens.length;
        int layers = attention.length;
        int panel = len * CELL;
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 14);
        int titleWidth = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics()
                .getFontMetrics(titleFont).stringWidth(title);
        int width = Math.max(MARGIN + heads * (panel + GAP) + 20, titleWidth + 30);
        int height = MARGIN + 24 + layers * (panel + GAP + 20) + 30;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(titleFont);
            g.drawString(title, 10, 20);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.setColor(SECRET);
            g.drawString("red: secret inputs; red boxes: the secret each CoT row depends on", 10, height - 10);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            for (int l = 0; l < layers; l++) {
                for (int h = 0; h < heads; h++) {
                    int x0 = MARGIN + h * (panel + GAP);
                    int y0 = MARGIN + 24 + l * (panel + GAP + 20);
                    drawPanel(g, attention[l], h, len, tokens, task, x0, y0);
                    g.setColor(Color.BLACK);
                    g.drawString("layer " + l + ", head " + h + "  (rows: queries, columns: keys)", x0, y0 - 22);
                }
            }
        } finally {
            g.dispose();
        }
        PngFile.write(img, file);
    }

    private static void drawPanel(Graphics2D g, float[] probs, int head, int len, int[] tokens, ParityTask task,
                                  int x0, int y0) {
        int base = head * len * len;
        for (int i = 0; i < len; i++) {
            for (int j = 0; j < len; j++) {
                float p = j <= i ? probs[base + i * len + j] : 0f;
                int shade = 255 - Math.round(Math.min(1f, Math.max(0f, p)) * 235);
                g.setColor(j <= i ? new Color(shade, shade, Math.min(255, shade + 20)) : new Color(245, 245, 245));
                g.fillRect(x0 + j * CELL, y0 + i * CELL, CELL, CELL);
            }
        }
        g.setColor(Color.LIGHT_GRAY);
        g.drawRect(x0, y0, len * CELL, len * CELL);
        g.setColor(new Color(120, 120, 120));
        g.drawLine(x0 + task.n() * CELL, y0, x0 + task.n() * CELL, y0 + len * CELL);
        g.drawLine(x0, y0 + task.n() * CELL, x0 + len * CELL, y0 + task.n() * CELL);
        boolean[] secret = new boolean[len];
        for (int s : task.secret()) {
            secret[s] = true;
        }
        for (int j = 0; j < len; j++) {
            g.setColor(j < task.n() && secret[j] ? SECRET : Color.DARK_GRAY);
            String label = String.valueOf(tokens[j]);
            g.drawString(label, x0 + j * CELL + 5, y0 - 4);
            g.drawString(label, x0 - 12, y0 + j * CELL + 12);
            if (j < task.n() && secret[j]) {
                g.fillRect(x0 + j * CELL, y0 + len * CELL + 3, CELL, 4);
            }
        }
        g.setColor(Color.DARK_GRAY);
        for (int j = 0; j < len; j += 5) {
            g.drawString(String.valueOf(j), x0 + j * CELL + 3, y0 + len * CELL + 18);
            g.drawString(String.valueOf(j), x0 - 40, y0 + j * CELL + 12);
        }
        g.setColor(SECRET);
        g.setStroke(new BasicStroke(2f));
        for (int i = 0; i < len; i++) {
            int s = task.secretOfRow(i);
            if (s >= 0) {
                g.drawRect(x0 + s * CELL + 1, y0 + i * CELL + 1, CELL - 2, CELL - 2);
            }
        }
        g.setStroke(new BasicStroke(1f));
    }
}
