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
import org.attn4j.cli.reason.ReasonCommand;
import org.attn4j.cli.reason.ReasonPlotCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * {@code attn4j}: the command-line tool. Each subcommand is a class listed in {@code subcommands} below; adding one
 * is one line there.
 */
@Command(name = "attn4j",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Dense, block-sparse and dynamically masked attention on the CPU and on NVIDIA GPUs, and a"
                + " transformer layer that trains through it (the parity experiments of Wen et al.)."},
        subcommands = {
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
            ReasonCommand.class,
            ReasonPlotCommand.class,
            AlicotCommand.class,
            AlicotFiguresCommand.class,
            CommandLine.HelpCommand.class,
        },
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
        CommandLine cli = commandLine(out, err);
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

    /** The configured command line. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
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
