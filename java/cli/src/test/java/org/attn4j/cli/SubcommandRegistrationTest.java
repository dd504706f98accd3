package org.attn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A command line that names a subcommand registers that one alone (start-up time); everything else sees all. */
class SubcommandRegistrationTest {
    private static Set<String> registered(String... args) {
        PrintWriter w = new PrintWriter(new StringWriter());
        return Main.commandLine(w, w, args).getSubcommands().keySet();
    }

    @Test
    void aNamedSubcommandIsRegisteredAlone() {
        assertEquals(Set.of("run"), registered("run", "--q", "q.npy"));
        assertEquals(Set.of("info"), registered("--verbose", "info"));
        assertEquals(Set.of("parity"), registered("parity", "--help"));
    }

    @Test
    void everythingElseSeesEverySubcommand() {
        int all = Main.SUBCOMMANDS.length;
        assertEquals(all, registered().size());
        assertEquals(all, registered("--help").size());
        assertEquals(all, registered("help", "run").size());
        assertEquals(all, registered("rnu").size());
        for (Class<?> c : Main.SUBCOMMANDS) {
            String name = c.getAnnotation(CommandLine.Command.class).name();
            assertTrue(registered().contains(name), name);
        }
    }

    @Test
    void theVersionAloneNeedsNoSubcommand() {
        assertEquals(Set.of(), registered("--version"));
        assertEquals(Set.of(), registered("-V"));
        Cli version = Cli.run("--version");
        assertEquals(0, version.code, version.toString());
        assertTrue(version.out.startsWith("attn4j "), version.toString());
        assertEquals(Main.SUBCOMMANDS.length, registered("--version", "run").size());
    }

    @Test
    void usageAndHelpStillWork() {
        Cli top = Cli.run("--help");
        assertEquals(0, top.code, top.toString());
        assertTrue(top.out.contains("alicot-figures") && top.out.contains("run"), top.toString());
        Cli help = Cli.run("help", "run");
        assertEquals(0, help.code, help.toString());
        assertTrue(help.out.contains("--block-mask"), help.toString());
        Cli runHelp = Cli.run("--verbose", "run", "--help");
        assertEquals(0, runHelp.code, runHelp.toString());
        assertTrue(runHelp.out.contains("--block-mask"), runHelp.toString());
        Cli unknown = Cli.run("rnu");
        assertEquals(Main.EXIT_USAGE, unknown.code, unknown.toString());
    }
}
