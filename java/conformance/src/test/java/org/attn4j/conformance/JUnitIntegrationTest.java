package org.attn4j.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/** What a provider's own test run shows: failures as failed tests, unsupported cases as skipped (aborted) ones. */
class JUnitIntegrationTest {

    @Test
    void aBrokenProviderFailsItsTestsAndSkipsWhatDoesNotApply() {
        Events tests = EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(IgnoresCausalConformanceSuite.class, "fullyMaskedRows"),
                        selectMethod(IgnoresCausalConformanceSuite.class, "errors"))
                .execute().testEvents();
        assertTrue(tests.failed().count() > 0, "no failed test");
        assertTrue(tests.succeeded().count() > 0, "no passed test");
        assertTrue(tests.aborted().count() > 0, "no skipped test");
        for (Event e : tests.failed().list()) {
            String name = e.getTestDescriptor().getDisplayName();
            assertTrue(name.contains(" causal"), () -> "failed without causal: " + name);
            String message = e.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                    .getThrowable().orElseThrow().getMessage();
            assertTrue(message.contains("relative error"), () -> "failure message: " + message);
        }
        for (Event e : tests.aborted().list()) {
            String reason = e.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                    .getThrowable().orElseThrow().getMessage();
            assertTrue(reason.startsWith("nothing to refuse"), () -> "skip reason: " + reason);
        }
    }

    @Test
    void junitCountsExactlyTheKitsCasesAndAFailureSaysHowToRunItAlone() {
        IgnoresCausalConformanceSuite suite = new IgnoresCausalConformanceSuite();
        java.util.List<ConformanceCase> kit = ConformanceKit.cases(suite.provider(), suite.options(),
                CaseCategory.FULLY_MASKED);
        ConformanceReport report = ConformanceKit.run(suite.provider(), kit);
        Events tests = EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(IgnoresCausalConformanceSuite.class, "fullyMaskedRows"))
                .execute().testEvents();
        assertEquals(kit.size(), tests.started().count(), "one test per case");
        assertEquals(report.failed(), tests.failed().count());
        assertEquals(report.skips().size(), tests.aborted().count());
        assertEquals(report.passed(), tests.succeeded().count());
        assertTrue(tests.failed().count() > 0, "the suite's provider ignores causal masks");
        for (Event e : tests.failed().list()) {
            String name = e.getTestDescriptor().getDisplayName();
            String message = e.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                    .getThrowable().orElseThrow().getMessage();
            assertTrue(name.contains(" seed="), name);
            assertTrue(message.startsWith("conformance case [fully-masked] " + name + " failed on provider"
                    + " 'ignores-causal': "), message);
            assertTrue(message.endsWith(ConformanceMain.class.getName() + " ignores-causal --category fully-masked"
                    + " --case '" + name + "'"), message);
        }
    }

    @Test
    void anUnavailableProviderSkipsEveryNumericCaseWithTheReason() {
        Events tests = EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(UnavailableProviderSuite.class, "shapes")).execute().testEvents();
        assertEquals(0, tests.failed().count());
        assertEquals(0, tests.succeeded().count());
        assertTrue(tests.aborted().count() > 10);
        for (Event e : tests.aborted().list()) {
            String reason = e.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                    .getThrowable().orElseThrow().getMessage();
            assertTrue(reason.contains("unavailable: no such device on this machine"), reason);
        }
    }
}
