package org.attn4j.cli;

/**
 * Sets up slf4j-simple, the logging binding of the command line: warnings and errors on stderr, one line each,
 * and debug messages with {@code --verbose}. Settings given with {@code -D} (in JAVA_OPTS) win.
 */
final class Logging {
    private static final String PREFIX = "org.slf4j.simpleLogger.";

    private Logging() {
    }

    static void configure(boolean verbose) {
        // slf4j-simple reads these once, when the first logger is created; commands create loggers only later.
        setDefault("defaultLogLevel", verbose ? "debug" : "warn");
        setDefault("logFile", "System.err");
        setDefault("showThreadName", "false");
        setDefault("showShortLogName", "false");
        setDefault("showLogName", String.valueOf(verbose));
        setDefault("levelInBrackets", "false");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(PREFIX + key) == null) {
            System.setProperty(PREFIX + key, value);
        }
    }
}
