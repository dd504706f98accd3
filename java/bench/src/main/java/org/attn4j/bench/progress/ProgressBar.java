package org.attn4j.bench.progress;

import java.io.PrintWriter;

/**
 * Progress of a sweep on stderr: on a terminal one line redrawn in place ({@code [#####.....] 12/40 1m05s left
 * gym ... causal}); otherwise (CI logs, pipes) one plain line per step, so logs stay readable.
 */
public final class ProgressBar {
    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final boolean interactive;
    private final int total;
    private final long startNanos = System.nanoTime();
    private int done;
    private int lastLength;

    public ProgressBar(PrintWriter out, boolean interactive, int total) {
        this.out = out;
        this.interactive = interactive;
        this.total = Math.max(1, total);
    }

    /** Announces the step about to run. */
    public void start(String label) {
        render(label);
    }

    /** Marks one step done. */
    public void step() {
        done = Math.min(total, done + 1);
    }

    /** Ends the bar (on a terminal, moves to a fresh line). */
    public void finish() {
        if (interactive && lastLength > 0) {
            out.print("\r" + " ".repeat(lastLength) + "\r");
            out.flush();
        }
        lastLength = 0;
    }

    /** The line for the current state (without carriage control). */
    public String line(String label) {
        int filled = (int) Math.round((double) done / total * WIDTH);
        StringBuilder sb = new StringBuilder();
        sb.append('[').append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ")
                .append(done).append('/').append(total);
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        if (done > 0 && done < total) {
            sb.append(' ').append(formatSeconds(elapsed / done * (total - done))).append(" left");
        }
        sb.append("  ").append(label);
        return sb.toString();
    }

    private void render(String label) {
        String text = line(label);
        if (interactive) {
            int pad = Math.max(0, lastLength - text.length());
            out.print("\r" + text + " ".repeat(pad));
            lastLength = text.length();
        } else {
            out.println(text);
        }
        out.flush();
    }

    static String formatSeconds(double s) {
        long sec = Math.round(s);
        return sec >= 60 ? (sec / 60) + "m" + String.format("%02d", sec % 60) + "s" : sec + "s";
    }
}
