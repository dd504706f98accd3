package org.attn4j.cli.parity;

import java.util.ArrayList;
import java.util.List;
import org.attn4j.cli.CliException;

/** Lists of whole numbers on the command line: {@code 1,2,3}, a range {@code 1..6}, or both ({@code 1..3,5}). */
final class IntList {
    private IntList() {
    }

    static List<Long> parse(String flag, String text) {
        List<Long> values = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.strip();
            try {
                int dots = p.indexOf("..");
                if (dots >= 0) {
                    long from = Long.parseLong(p.substring(0, dots).strip());
                    long to = Long.parseLong(p.substring(dots + 2).strip());
                    if (to < from || to - from > 10_000) {
                        throw new CliException(flag + ": expected a range FROM..TO with FROM <= TO, got '" + p + "'");
                    }
                    for (long v = from; v <= to; v++) {
                        values.add(v);
                    }
                } else {
                    values.add(Long.parseLong(p));
                }
            } catch (NumberFormatException e) {
                throw new CliException(flag + ": expected whole numbers such as 1,2,3 or 1..6, got '" + text + "'");
            }
        }
        return values;
    }

    static List<Integer> parseInts(String flag, String text) {
        List<Integer> values = new ArrayList<>();
        for (long v : parse(flag, text)) {
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new CliException(flag + ": " + v + " is out of range");
            }
            values.add((int) v);
        }
        return values;
    }
}
