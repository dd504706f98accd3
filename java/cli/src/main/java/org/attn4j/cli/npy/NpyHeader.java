package org.attn4j.cli.npy;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of an {@code .npy} file: a Python dictionary literal with {@code descr} (type and byte order),
 * {@code fortran_order} and {@code shape}, e.g. {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}.
 *
 * <p>Parsing accepts what NumPy writes and any equivalent literal (key order, spacing, quotes, trailing commas,
 * Python 2's {@code 3L}); it refuses structured types, Fortran order and types attn4j has no use for, naming the
 * file and the field.
 */
final class NpyHeader {
    private final NpyType type;
    private final ByteOrder order;
    private final int[] shape;

    NpyHeader(NpyType type, ByteOrder order, int[] shape) {
        this.type = type;
        this.order = order;
        this.shape = shape.clone();
    }

    NpyType type() {
        return type;
    }

    ByteOrder order() {
        return order;
    }

    int[] shape() {
        return shape.clone();
    }

    /** The dictionary literal NumPy writes (without padding). */
    String toDictionary() {
        char orderChar = type.byteSize() == 1 ? '|' : order == ByteOrder.BIG_ENDIAN ? '>' : '<';
        StringBuilder sb = new StringBuilder();
        sb.append("{'descr': '").append(orderChar).append(type.kind()).append(type.byteSize())
                .append("', 'fortran_order': False, 'shape': (");
        for (int d = 0; d < shape.length; d++) {
            sb.append(d > 0 ? ", " : "").append(shape[d]);
        }
        if (shape.length == 1) {
            sb.append(','); // Python's one-element tuple: (5,)
        }
        sb.append("), }");
        return sb.toString();
    }

    /**
     * Parses a header dictionary.
     *
     * @param source the file name, for messages
     * @throws NpyFormatException naming the field that is missing, malformed or unsupported
     */
    static NpyHeader parse(String text, String source) {
        Object parsed;
        try {
            LiteralParser p = new LiteralParser(text);
            parsed = p.value();
            p.skipSpace();
            if (!p.atEnd()) {
                throw p.error("unexpected text after the dictionary");
            }
        } catch (IllegalStateException e) {
            throw new NpyFormatException(source + ": malformed .npy header (" + e.getMessage() + "): "
                    + abbreviate(text));
        }
        if (!(parsed instanceof Map)) {
            throw new NpyFormatException(source + ": malformed .npy header, expected a dictionary, got "
                    + abbreviate(text));
        }
        Map<?, ?> dict = (Map<?, ?>) parsed;
        Object descr = required(dict, "descr", source);
        Object fortran = required(dict, "fortran_order", source);
        Object shapeValue = required(dict, "shape", source);

        if (!(descr instanceof String)) {
            throw new NpyFormatException(source + ": header 'descr': structured or nested dtypes are not supported;"
                    + " expected a plain type such as '<f4', got " + render(descr));
        }
        String d = (String) descr;
        if (!(fortran instanceof Boolean)) {
            throw new NpyFormatException(source + ": header 'fortran_order': expected True or False, got "
                    + render(fortran));
        }
        if ((Boolean) fortran) {
            throw new NpyFormatException(source + ": header 'fortran_order': Fortran (column-major) order is not"
                    + " supported; expected C order (save np.ascontiguousarray(x))");
        }
        if (!(shapeValue instanceof List)) {
            throw new NpyFormatException(source + ": header 'shape': expected a tuple of integers, got "
                    + render(shapeValue));
        }
        List<?> dims = (List<?>) shapeValue;
        int[] shape = new int[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            Object dim = dims.get(i);
            if (!(dim instanceof Long) || (Long) dim < 0 || (Long) dim > Integer.MAX_VALUE) {
                throw new NpyFormatException(source + ": header 'shape'[" + i + "]: expected an integer 0.."
                        + Integer.MAX_VALUE + ", got " + render(dim));
            }
            shape[i] = (int) (long) (Long) dim;
        }
        return parseDescr(d, source, shape);
    }

    private static NpyHeader parseDescr(String descr, String source, int[] shape) {
        String supported = "expected one of float32, float16, float64, bool, uint8 ('<f4', '<f2', '<f8', '|b1',"
                + " '|u1'; '>' for big-endian)";
        if (descr.length() < 3) {
            throw new NpyFormatException(source + ": header 'descr' '" + descr + "' is not supported; " + supported);
        }
        char orderChar = descr.charAt(0);
        char kind = descr.charAt(1);
        int size;
        try {
            size = Integer.parseInt(descr.substring(2));
        } catch (NumberFormatException e) {
            throw new NpyFormatException(source + ": header 'descr' '" + descr + "' is not supported; " + supported);
        }
        NpyType type = NpyType.of(kind, size);
        if (type == null || "<>|=".indexOf(orderChar) < 0) {
            throw new NpyFormatException(source + ": header 'descr' '" + descr + "' is not supported; " + supported);
        }
        ByteOrder order;
        if (type.byteSize() == 1) {
            order = ByteOrder.LITTLE_ENDIAN; // irrelevant for single bytes
        } else if (orderChar == '<') {
            order = ByteOrder.LITTLE_ENDIAN;
        } else if (orderChar == '>') {
            order = ByteOrder.BIG_ENDIAN;
        } else {
            // '|' means "not applicable" and '=' "whatever machine wrote this": neither says how to read a float.
            throw new NpyFormatException(source + ": header 'descr' '" + descr + "': byte order '" + orderChar
                    + "' is ambiguous for a " + size + "-byte type; expected '<' or '>'");
        }
        return new NpyHeader(type, order, shape);
    }

    private static Object required(Map<?, ?> dict, String key, String source) {
        if (!dict.containsKey(key)) {
            throw new NpyFormatException(source + ": .npy header has no '" + key + "' entry (has "
                    + dict.keySet() + ")");
        }
        return dict.get(key);
    }

    private static String render(Object value) {
        if (value instanceof String) {
            return "'" + value + "'";
        }
        return String.valueOf(value);
    }

    private static String abbreviate(String text) {
        String t = text.strip();
        return t.length() > 120 ? t.substring(0, 117) + "..." : t;
    }

    @Override
    public String toString() {
        return type + " " + (type.byteSize() > 1 ? order + " " : "") + Arrays.toString(shape);
    }

    /**
     * The subset of Python literals that .npy headers use: dictionaries, tuples, lists, strings, integers,
     * True/False/None. Tuples and lists become {@link List}s, integers {@link Long}s.
     */
    private static final class LiteralParser {
        private static final Object NONE = new Object() {
            @Override
            public String toString() {
                return "None";
            }
        };
        private final String s;
        private int pos;

        LiteralParser(String s) {
            this.s = s;
        }

        boolean atEnd() {
            return pos >= s.length();
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        IllegalStateException error(String what) {
            return new IllegalStateException(what + " at character " + pos);
        }

        Object value() {
            skipSpace();
            if (atEnd()) {
                throw error("unexpected end");
            }
            char c = s.charAt(pos);
            switch (c) {
                case '{': return dictionary();
                case '(': return sequence('(', ')');
                case '[': return sequence('[', ']');
                case '\'': case '"': return string();
                default:
                    if (c == '-' || c == '+' || Character.isDigit(c)) {
                        return integer();
                    }
                    return word();
            }
        }

        private Map<Object, Object> dictionary() {
            Map<Object, Object> map = new LinkedHashMap<>();
            pos++; // {
            while (true) {
                skipSpace();
                if (peek('}')) {
                    pos++;
                    return map;
                }
                Object key = value();
                skipSpace();
                expect(':');
                Object value = value();
                map.put(key, value);
                skipSpace();
                if (peek(',')) {
                    pos++;
                } else if (!peek('}')) {
                    throw error("expected ',' or '}'");
                }
            }
        }

        private List<Object> sequence(char open, char close) {
            List<Object> items = new ArrayList<>();
            pos++; // open
            while (true) {
                skipSpace();
                if (peek(close)) {
                    pos++;
                    return items;
                }
                items.add(value());
                skipSpace();
                if (peek(',')) {
                    pos++;
                } else if (!peek(close)) {
                    throw error("expected ',' or '" + close + "'");
                }
            }
        }

        private String string() {
            char quote = s.charAt(pos++);
            StringBuilder sb = new StringBuilder();
            while (pos < s.length() && s.charAt(pos) != quote) {
                char c = s.charAt(pos++);
                if (c == '\\' && pos < s.length()) {
                    c = s.charAt(pos++);
                }
                sb.append(c);
            }
            if (atEnd()) {
                throw error("unterminated string");
            }
            pos++; // closing quote
            return sb.toString();
        }

        private Long integer() {
            int start = pos;
            if (s.charAt(pos) == '-' || s.charAt(pos) == '+') {
                pos++;
            }
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                pos++;
            }
            String digits = s.substring(start, pos);
            if (pos < s.length() && (s.charAt(pos) == 'L' || s.charAt(pos) == 'l')) {
                pos++; // Python 2 long suffix, still found in old files
            }
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw error("bad integer '" + digits + "'");
            }
        }

        private Object word() {
            int start = pos;
            while (pos < s.length() && Character.isLetter(s.charAt(pos))) {
                pos++;
            }
            String w = s.substring(start, pos);
            switch (w) {
                case "True": return Boolean.TRUE;
                case "False": return Boolean.FALSE;
                case "None": return NONE;
                default: throw error("unexpected '" + (w.isEmpty() ? String.valueOf(s.charAt(start)) : w) + "'");
            }
        }

        private boolean peek(char c) {
            return pos < s.length() && s.charAt(pos) == c;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }
    }
}
