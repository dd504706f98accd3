package org.attn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.attn4j.Attention;
import org.attn4j.ProviderInfo;
import org.attn4j.ProviderRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InfoCommandTest {
    @AfterEach
    void clearOverride() {
        System.clearProperty(ProviderRegistry.PROPERTY);
    }

    @Test
    void listsTheMachineAndEveryProviderWithItsStatus() {
        Cli cli = Cli.run("info");
        assertEquals(0, cli.code, cli.toString());
        assertTrue(cli.err.isEmpty(), cli.err);
        assertTrue(cli.out.contains("Java       " + System.getProperty("java.version")), cli.out);
        assertTrue(cli.out.contains("Java home  " + System.getProperty("java.home")), cli.out);
        assertTrue(cli.out.contains("OS         " + System.getProperty("os.name")), cli.out);
        assertTrue(cli.out.contains(Runtime.getRuntime().availableProcessors() + " logical processor"), cli.out);
        assertTrue(cli.out.contains("Model kernels " + org.attn4j.model.nn.simd.ModelKernels.linear().name()),
                cli.out);
        assertFalse(Attention.diagnostics().isEmpty());
        for (ProviderInfo p : Attention.diagnostics()) {
            assertTrue(cli.out.contains(p.name()), "provider " + p.name() + " missing from:\n" + cli.out);
            String priority = p.priority() == Integer.MIN_VALUE ? "-" : String.valueOf(p.priority());
            assertTrue(cli.out.contains("priority " + priority), cli.out);
        }
        // The unavailable fixture is listed with its reason; automatic selection skips it.
        assertTrue(cli.out.contains(UnavailableTestProvider.REASON), cli.out);
        assertTrue(cli.out.contains("unavailable"), cli.out);
        for (org.attn4j.DType t : org.attn4j.DType.values()) {
            try (org.attn4j.Tensor x = org.attn4j.Tensor.allocate(t, 1, 1, 1, 64)) {
                String best = Attention.select(org.attn4j.AttentionRequest.builder(x, x, x).build()).name();
                assertTrue(cli.out.contains("  " + t + "  " + best), cli.out);
            }
        }
        if (System.getenv(ProviderRegistry.ENV) == null) {
            assertTrue(cli.out.contains("Override: none"), cli.out);
        }
    }

    @Test
    void brokenPluginsAreListedWithTheirCauseAndBreakNothing() {
        Cli cli = Cli.run("info");
        assertEquals(0, cli.code, cli.toString());
        assertTrue(cli.out.contains("BrokenTestProviders$NullName): name() returned null"), cli.out);
        assertTrue(cli.out.contains("BrokenTestProviders$ConstructorThrows could not be instantiated; caused by"
                + " java.lang.IllegalStateException: " + BrokenTestProviders.CONSTRUCTOR_CAUSE), cli.out);
        // By-name lookups of the others work.
        System.setProperty(ProviderRegistry.PROPERTY, "reference");
        cli = Cli.run("info");
        assertTrue(cli.out.contains("every call runs on 'reference'"), cli.out);
    }

    @Test
    void showsTheOverrideAndWhetherItCanWork() {
        System.setProperty(ProviderRegistry.PROPERTY, Fp32OnlyTestProvider.NAME);
        Cli cli = Cli.run("info");
        assertEquals(0, cli.code, cli.toString());
        assertTrue(cli.out.contains("Override: -Dattn4j.provider=fp32-only: every call runs on 'fp32-only'"),
                cli.out);
        assertTrue(cli.out.contains("selection: forced to 'fp32-only'"), cli.out);

        System.setProperty(ProviderRegistry.PROPERTY, "nothing-like-it");
        cli = Cli.run("info");
        assertEquals(0, cli.code, cli.toString());
        assertTrue(cli.out.contains("Override: -Dattn4j.provider=nothing-like-it: calls will fail: provider:"
                + " unknown name 'nothing-like-it'"), cli.out);
    }

    @Test
    void verboseNamesTheImplementingClasses() {
        Cli cli = Cli.run("info", "--verbose");
        assertEquals(0, cli.code, cli.toString());
        assertTrue(cli.out.contains("org.attn4j.reference.ReferenceProvider from "), cli.out);
    }

    @Test
    void versionAndHelp() {
        Cli cli = Cli.run("--version");
        assertEquals(0, cli.code, cli.toString());
        assertTrue(cli.out.startsWith("attn4j "), cli.out);
        cli = Cli.run("--help");
        assertEquals(0, cli.code, cli.toString());
        for (String command : new String[] {"info", "run", "demo"}) {
            assertTrue(cli.out.contains("  " + command + "  "), cli.out);
        }
        cli = Cli.run("run", "--help");
        assertEquals(0, cli.code, cli.toString());
        assertTrue(cli.out.contains("--topk-blocks=K"), cli.out);
    }
}
