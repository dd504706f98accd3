package org.attn4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.attn4j.plugins.BrokenPlugins;
import org.attn4j.plugins.ProbeProvider;
import org.attn4j.spi.AttentionProvider;
import org.junit.jupiter.api.Test;

/**
 * A broken plugin never breaks the others: the test class path lists plugins broken in every way (see
 * {@link BrokenPlugins}) beside one that works.
 */
class BrokenPluginsTest {
    private final ProviderRegistry registry = ProviderRegistry.load(getClass().getClassLoader());

    @Test
    void onlyPluginsThatAnswerSanelyAreListedAsProviders() {
        assertEquals(List.of("supportsthrows", "availabilitythrows", "availabilitynull", "probe").stream().sorted()
                .collect(Collectors.toList()), registry.names().stream().sorted().collect(Collectors.toList()));
        assertEquals(List.of("availabilitythrows", "availabilitynull", "supportsthrows", "probe"), registry.names(),
                "highest priority first");
    }

    @Test
    void lookupsByNameAndSelectionStillWork() {
        AttentionProvider probe = registry.get("probe");
        assertEquals(ProbeProvider.class, probe.getClass());
        assertSame(probe, registry.get(" PROBE "));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> registry.get("nope"));
        assertTrue(unknown.getMessage().startsWith("provider: unknown name 'nope'"), unknown.getMessage());
        try (Tensor x = Tensor.allocate(DType.FP32, 1, 1, 4, 8)) {
            AttentionRequest r = AttentionRequest.builder(x, x, x).build();
            // The three higher-priority plugins cannot run it; automatic selection falls through to the probe.
            assertSame(probe, registry.select(r));
            assertSame(probe, registry.select(r, "probe"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> registry.select(r, "availabilitythrows"));
            assertTrue(e.getMessage().startsWith("provider 'availabilitythrows' is unavailable: availability() threw"
                    + " java.lang.UnsatisfiedLinkError: no libcuda"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> registry.select(r, "supportsthrows"));
            assertTrue(e.getMessage().contains("supports() threw java.lang.IllegalStateException: support table"
                    + " corrupt"), e.getMessage());
            assertSame(probe, registry.selectBackward(r, null, "supportsthrows"));
        }
    }

    @Test
    void diagnosticsListEveryBrokenPluginWithItsCause() {
        String report = registry.report();
        String[] expected = {
            "org.attn4j.does.not.Exist not found",
            "BrokenPlugins$NullName", "name() returned null",
            "name() returned ' two words '",
            "name() threw java.lang.IllegalStateException: name lookup exploded",
            "BrokenPlugins$ConstructorThrows could not be instantiated",
            "caused by java.lang.IllegalStateException: licence file missing",
            "caused by java.io.FileNotFoundException: /etc/licence",
            "StaticInitFails", "ExceptionInInitializerError", "NumberFormatException",
            "NoPublicConstructor",
            "priority() threw java.lang.ArithmeticException: priority overflow",
            "capabilities() returned null",
            "capabilities() threw java.lang.NoClassDefFoundError: org/missing/Library",
            "availability() threw java.lang.UnsatisfiedLinkError",
            "availability() returned null",
            "NotAProvider",
        };
        for (String needle : expected) {
            assertTrue(report.contains(needle), () -> "'" + needle + "' missing from:\n" + report);
        }
        List<ProviderInfo> infos = registry.diagnostics();
        ProviderInfo nullName = infos.stream().filter(i -> i.implementation().endsWith("$NullName")).findFirst()
                .orElseThrow();
        assertFalse(nullName.available());
        assertTrue(nullName.origin().contains("test-classes"), nullName.origin());
        ProviderInfo ctor = infos.stream().filter(i -> i.implementation().endsWith("$ConstructorThrows"))
                .findFirst().orElseThrow();
        assertTrue(ctor.reason().startsWith("failed to load: "), ctor.reason());
        // Found, available or not: 4; left out: one line each for the other 11 entries of the services file.
        assertEquals(4 + 11, infos.size(), infos::toString);
    }

    @Test
    void theDefaultRegistryWorksDespiteThem() {
        assertTrue(Attention.registry().names().contains("probe"));
        assertTrue(Attention.diagnostics().stream().anyMatch(i -> i.reason().contains("name() returned null")));
        assertEquals(ProbeProvider.class, Attention.provider("probe").getClass());
    }
}
