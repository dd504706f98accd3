package org.attn4j.cli.demo;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table: a header row, a rule, and rows; text columns left-aligned, numbers right-aligned. */
final class DemoTable {
    private final String[] headers;
    private final boolean[] rightAligned;
    private final List<String[]> rows = new ArrayList<>();

    /** Headers; a header starting with {@code >} marks a right-aligned column (the mark is not printed). */
    DemoTable(String... headers) {
        this.headers = new String[headers.length];
        this.rightAligned = new boolean[headers.length];
        for (int c = 0; c < headers.length; c++) {
            rightAligned[c] = headers[c].startsWith(">");
            this.headers[c] = rightAligned[c] ? headers[c].substring(1) : headers[c];
        }
    }

    void add(String... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException("cells: expected " + headers.length + ", got " + cells.length);
        }
        rows.add(cells.clone());
    }

    void print(PrintWriter out) {
        int[] width = new int[headers.length];
        for (int c = 0; c < headers.length; c++) {
            width[c] = headers[c].length();
            for (String[] r : rows) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        out.println(line(headers, width));
        StringBuilder rule = new StringBuilder();
        for (int c = 0; c < headers.length; c++) {
            rule.append(c > 0 ? "  " : "").append("-".repeat(width[c]));
        }
        out.println(rule);
        for (String[] r : rows) {
            out.println(line(r, width));
        }
    }

    private String line(String[] cells, int[] width) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            String pad = " ".repeat(width[c] - cells[c].length());
            sb.append(c > 0 ? "  " : "").append(rightAligned[c] ? pad + cells[c] : cells[c] + pad);
        }
        return sb.toString().stripTrailing();
    }
}
