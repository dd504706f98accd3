package org.attn4j.model.parity;

import java.io.PrintStream;
import java.io.PrintWriter;

/**
 * A one-line progress display: on a terminal each {@link Progress} overwrites the previous line (carriage return);
 * otherwise (a log file, a pipe) every update is its own line. Stage lines always start a new line.
 */
public final class ConsoleProgress implements ProgressListener {
    private final PrintWriter out;
    private final boolean overwrite;
    private int lastLength;

    public ConsoleProgress(PrintWriter out, boolean overwrite) {
        this.out = out;
        this.overwrite = overwrite;
    }

    public ConsoleProgress(PrintStream out, boolean overwrite) {
        this(new PrintWriter(out, true), overwrite);
    }

    /** Overwrites in place when the JVM has a console. */
    public static ConsoleProgress stderr() {
        return new ConsoleProgress(System.err, System.console() != null);
    }

    @Override
    public synchronized void onProgress(Progress p) {
        String line = p.line();
        if (overwrite) {
            int pad = Math.max(0, lastLength - line.length());
            out.print("\r" + line + " ".repeat(pad));
            lastLength = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public synchronized void onStage(String line) {
        if (overwrite && lastLength > 0) {
            out.println();
            lastLength = 0;
        }
        out.println(line);
        out.flush();
    }

    /** Ends the progress line (call when the run is over). */
    public synchronized void finish() {
        if (overwrite && lastLength > 0) {
            out.println();
            lastLength = 0;
        }
    }
}
