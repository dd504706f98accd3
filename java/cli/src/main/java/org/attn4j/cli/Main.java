package org.attn4j.cli;

import java.io.PrintWriter;
import org.attn4j.bench.cli.BenchCommand;
import org.attn4j.bench.decode.DecodeCommand;
import org.attn4j.cli.alicot.AlicotCommand;
import org.attn4j.cli.alicot.AlicotFiguresCommand;
import org.attn4j.cli.decode.GenerateCommand;
import org.attn4j.cli.demo.DemoCommand;
import org.attn4j.cli.parity.FigureCommand;
import org.attn4j.cli.parity.LogitsCommand;
import org.attn4j.cli.parity.ParityCommand;
import org.attn4j.cli.parity.SweepCommand;
import org.attn4j.cli.parity.ThroughputCommand;
import org.attn4j.cli.probe.ProbeCommand;
import org.attn4j.cli.reason.ReasonCommand;
import org.attn4j.cli.reason.ReasonPlotCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * {@code attn4j}: the command-line tool. Each subcommand is a class listed in {@link #SUBCOMMANDS}; adding one is
 * one line there.
 */
@Command(name = "attn4j",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Dense, block-sparse and dynamically masked attention on the CPU and on NVIDIA GPUs, and a"
                + " transformer layer that trains through it (the parity experiments of Wen et al.)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:error (bad input, a provider failed, a check did not pass)",
            "2:usage error (unknown command or option, bad option value)",
        },
        footer = {"", "Environment: JAVA_OPTS (JVM options for ./attn4j), ATTN4J_PROVIDER or -Dattn4j.provider=NAME"
                + " (force a provider)."})
public final class Main implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_ERROR = 1;
    public static final int EXIT_USAGE = 2;

    /**
     * The subcommands, in the order the usage lists them. picocli builds a command's model (options, converters,
     * help) by reflection when it is registered: about half a second for all of them on a 2-core machine, more than
     * a small {@code run} computes. So a command line that names one subcommand registers that one alone.
     */
    static final Class<?>[] SUBCOMMANDS = {
        InfoCommand.class,
        RunCommand.class,
        DemoCommand.class,
        BenchCommand.class,
        DecodeCommand.class,
        GenerateCommand.class,
        ParityCommand.class,
        SweepCommand.class,
        ThroughputCommand.class,
        FigureCommand.class,
        LogitsCommand.class,
        ProbeCommand.class,
        ReasonCommand.class,
        ReasonPlotCommand.class,
        AlicotCommand.class,
        AlicotFiguresCommand.class,
        CommandLine.HelpCommand.class,
    };

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print stack traces with errors and debug logging.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Without a subcommand: print the usage. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        // The model commands draw PNGs; no display is needed or wanted.
        System.setProperty("java.awt.headless", "true");
        int code = run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
        System.exit(code);
    }

    /** Runs the tool in this JVM with these streams and returns the exit code (tests call this). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = commandLine(out, err, args);
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli passes Errors through; this one has a remedy the user can apply.
            err.println("attn4j: out of memory (" + e.getMessage() + "); the JVM may use at most "
                    + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB: raise it with JAVA_OPTS=-Xmx<size>");
            return EXIT_ERROR;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The configured command line with every subcommand. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, new String[0]);
    }

    /**
     * The configured command line for {@code args}: with only the subcommand they name when they name one (its
     * usage, errors and behaviour are the same), with none for {@code --version} alone, with all of them otherwise
     * (the top-level usage, {@code help}, an unknown command and its suggestions).
     */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, String[] args) {
        CommandLine cli = new CommandLine(new Main());
        Class<?> named = namedSubcommand(args);
        boolean versionOnly = args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"));
        for (Class<?> c : SUBCOMMANDS) {
            if (!versionOnly && (named == null || c == named)) {
                cli.addSubcommand(c);
            }
        }
        cli.setOut(out);
        cli.setErr(err);
        ErrorReporter errors = new ErrorReporter();
        cli.setParameterExceptionHandler(errors);
        cli.setExecutionExceptionHandler(errors);
        cli.setExecutionStrategy(parseResult -> {
            Logging.configure(isVerbose(parseResult));
            return new CommandLine.RunLast().execute(parseResult);
        });
        return cli;
    }

    /**
     * The subcommand the first argument (after {@code --verbose}) names, or null: none, {@code help}, an unknown
     * name, or a top-level option such as {@code --help} (whose usage lists every subcommand).
     */
    private static Class<?> namedSubcommand(String[] args) {
        for (String a : args) {
            if (a.equals("--verbose")) {
                continue;
            }
            for (Class<?> c : SUBCOMMANDS) {
                if (c != CommandLine.HelpCommand.class && c.getAnnotation(Command.class).name().equals(a)) {
                    return c;
                }
            }
            return null;
        }
        return null;
    }

    /** Whether {@code --verbose} was given at any level of the command line. */
    static boolean isVerbose(ParseResult parseResult) {
        for (ParseResult p = parseResult; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
