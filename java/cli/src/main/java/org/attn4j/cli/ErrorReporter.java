package org.attn4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns every failure into one line on stderr, {@code attn4j run: <what is wrong>}, and an exit code: usage errors
 * (unknown option, bad value) exit {@link Main#EXIT_USAGE}, everything else {@link Main#EXIT_ERROR}. With
 * {@code --verbose} the stack trace follows the line.
 */
final class ErrorReporter implements CommandLine.IParameterExceptionHandler, CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        StringBuilder line = new StringBuilder(prefix(cmd)).append(oneLine(ex.getMessage()));
        if (ex instanceof UnmatchedArgumentException) {
            List<String> suggestions = ((UnmatchedArgumentException) ex).getSuggestions();
            if (!suggestions.isEmpty()) {
                line.append("; did you mean ").append(String.join(" or ", suggestions)).append('?');
            }
        }
        line.append(" (see '").append(cmd.getCommandSpec().qualifiedName()).append(" --help')");
        err.println(line);
        if (verbose(args)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return Main.EXIT_USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        err.println(prefix(cmd) + describe(ex, Main.isVerbose(parseResult)));
        if (Main.isVerbose(parseResult)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return Main.EXIT_ERROR;
    }

    /** The message a person sees for {@code ex}. */
    static String describe(Throwable ex, boolean verbose) {
        if (ex instanceof CliException || ex instanceof IllegalArgumentException
                || ex instanceof IllegalStateException || ex instanceof UnsupportedOperationException) {
            return oneLine(ex.getMessage() != null ? ex.getMessage() : ex.toString());
        }
        if (ex instanceof UncheckedIOException && ex.getCause() != null) {
            return describe(ex.getCause(), verbose);
        }
        if (ex instanceof IOException) {
            return "I/O error: " + oneLine(ex.getMessage() != null ? ex.getMessage() : ex.toString());
        }
        // Anything else is a bug in attn4j or a provider: say so, and where to look.
        return "internal error: " + oneLine(ex.toString())
                + (verbose ? "" : " (run with --verbose for the stack trace)");
    }

    private static String prefix(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName() + ": ";
    }

    /** Messages from libraries sometimes span lines; the error stays one line. */
    static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static boolean verbose(String[] args) {
        for (String a : args) {
            if (a.equals("--")) {
                return false;
            }
            if (a.equals("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
