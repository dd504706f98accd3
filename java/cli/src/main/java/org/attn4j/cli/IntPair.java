package org.attn4j.cli;

import picocli.CommandLine;

/** Two integers written {@code A,B} on the command line: a window {@code LEFT,RIGHT}, a tile size {@code BQ,BK}. */
record IntPair(int first, int second) {

    @Override
    public String toString() {
        return first + "," + second;
    }

    /** Parses {@code A,B}; picocli reports a failure as a usage error naming the option. */
    static final class Converter implements CommandLine.ITypeConverter<IntPair> {
        @Override
        public IntPair convert(String text) {
            String[] parts = text.split(",", -1);
            if (parts.length != 2) {
                throw new CommandLine.TypeConversionException("expected two integers separated by a comma, got '"
                        + text + "'");
            }
            try {
                return new IntPair(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()));
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("expected two integers separated by a comma, got '"
                        + text + "'");
            }
        }
    }
}
