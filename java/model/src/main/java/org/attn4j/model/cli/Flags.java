package org.attn4j.model.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Minimal {@code --name value} / {@code --switch} parsing for {@link ModelMain} (the project's CLI module does the
 * real command line with picocli). Unknown or unused flags are errors.
 */
final class Flags {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> used = new HashSet<>();

    Flags(String[] args, int from, Set<String> switches) {
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("expected a --flag, got '" + a + "'");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (switches.contains(name)) {
                value = "true";
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--" + name + ": expected a value");
                }
                value = args[++i];
            }
            values.put(name, value);
        }
    }

    boolean has(String name) {
        used.add(name);
        return values.containsKey(name);
    }

    String string(String name, String fallback) {
        used.add(name);
        return values.getOrDefault(name, fallback);
    }

    int integer(String name, int fallback) {
        String v = string(name, null);
        try {
            return v == null ? fallback : Integer.parseInt(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": expected an integer, got '" + v + "'");
        }
    }

    long longValue(String name, long fallback) {
        String v = string(name, null);
        try {
            return v == null ? fallback : (long) Double.parseDouble(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": expected a number, got '" + v + "'");
        }
    }

    double decimal(String name, double fallback) {
        String v = string(name, null);
        try {
            return v == null ? fallback : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": expected a number, got '" + v + "'");
        }
    }

    boolean flag(String name) {
        String v = string(name, "false");
        return Boolean.parseBoolean(v);
    }

    /** Comma-separated integers, {@code a..b} ranges allowed. */
    List<Integer> integers(String name, List<Integer> fallback) {
        String v = string(name, null);
        if (v == null) {
            return fallback;
        }
        List<Integer> out = new ArrayList<>();
        for (String part : v.split(",")) {
            String p = part.trim();
            int dots = p.indexOf("..");
            try {
                if (dots > 0) {
                    int a = Integer.parseInt(p.substring(0, dots));
                    int b = Integer.parseInt(p.substring(dots + 2));
                    for (int x = a; x <= b; x++) {
                        out.add(x);
                    }
                } else {
                    out.add(Integer.parseInt(p));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + ": expected integers like 1,2,3 or 1..4, got '"
                        + v + "'");
            }
        }
        return out;
    }

    /** Throws if a flag was given that no option read. */
    void checkAllUsed() {
        for (String name : values.keySet()) {
            if (!used.contains(name)) {
                throw new IllegalArgumentException("unknown flag --" + name);
            }
        }
    }
}
