package org.attn4j.conformance;

import java.util.stream.Stream;
import org.attn4j.DType;
import org.attn4j.spi.AttentionProvider;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The conformance kit as JUnit 5 tests: extend it in your provider's tests and return your provider.
 *
 * <pre>{@code
 * class MyProviderConformanceTest extends ProviderConformanceTest {
 *     @Override
 *     protected AttentionProvider provider() {
 *         return new MyProvider();
 *     }
 * }
 * }</pre>
 *
 * Each category of {@link ConformanceKit} is one {@link TestFactory}; each case one dynamic test named after its
 * configuration, so that JUnit (and Surefire) count exactly the kit's cases. A case the provider declares
 * unsupported is aborted (reported as skipped) with the provider's reason; a failing case fails with its category,
 * its configuration and seed, every problem it found, and the command line that runs it alone.
 *
 * <p>Hooks: {@link #tolerance(DType)} and {@link #backwardTolerance(DType)} (default: the SPEC's, see
 * {@link Tolerances}), {@link #placement()} for providers that take device tensors, and
 * {@link #requireRegistration()} for providers that no jar lists in META-INF/services.
 */
public abstract class ProviderConformanceTest {

    /** The provider under test. Called once per category; a new instance each time is fine. */
    protected abstract AttentionProvider provider();

    /** Largest relative error of O, LSE and probabilities for inputs of {@code dtype}. */
    protected double tolerance(DType dtype) {
        return Tolerances.forProvider(provider()).forward(dtype);
    }

    /** Largest relative error of dQ, dK and dV for inputs of {@code dtype}. */
    protected double backwardTolerance(DType dtype) {
        return Tolerances.forProvider(provider()).backward(dtype);
    }

    /** Where the provider's tensors live; override to copy them to a device. */
    protected TensorPlacement placement() {
        return TensorPlacement.HOST;
    }

    /** Whether the provider must be listed in META-INF/services (true for any provider shipped in a jar). */
    protected boolean requireRegistration() {
        return true;
    }

    /** The options built from the hooks above. */
    protected ConformanceOptions options() {
        Tolerances t = Tolerances.forProvider(provider());
        for (DType d : DType.values()) {
            t = t.withForward(d, tolerance(d)).withBackward(d, backwardTolerance(d));
        }
        return ConformanceOptions.of(t, placement()).withRequireRegistration(requireRegistration());
    }

    @TestFactory
    Stream<DynamicTest> contract() {
        return tests(CaseCategory.CONTRACT);
    }

    @TestFactory
    Stream<DynamicTest> shapes() {
        return tests(CaseCategory.SHAPES);
    }

    @TestFactory
    Stream<DynamicTest> masks() {
        return tests(CaseCategory.MASKS);
    }

    @TestFactory
    Stream<DynamicTest> decode() {
        return tests(CaseCategory.DECODE);
    }

    @TestFactory
    Stream<DynamicTest> fullyMaskedRows() {
        return tests(CaseCategory.FULLY_MASKED);
    }

    @TestFactory
    Stream<DynamicTest> oddSizes() {
        return tests(CaseCategory.ODD_SIZES);
    }

    @TestFactory
    Stream<DynamicTest> dtypes() {
        return tests(CaseCategory.DTYPES);
    }

    @TestFactory
    Stream<DynamicTest> outputs() {
        return tests(CaseCategory.OUTPUTS);
    }

    @TestFactory
    Stream<DynamicTest> backward() {
        return tests(CaseCategory.BACKWARD);
    }

    @TestFactory
    Stream<DynamicTest> flashAttentionGrid() {
        return tests(CaseCategory.FLASH_ATTENTION_GRID);
    }

    @TestFactory
    Stream<DynamicTest> errors() {
        return tests(CaseCategory.ERRORS);
    }

    @TestFactory
    Stream<DynamicTest> kvCache() {
        return tests(CaseCategory.KV_CACHE);
    }

    private Stream<DynamicTest> tests(CaseCategory category) {
        AttentionProvider p = provider();
        String providerName = p.name();
        return ConformanceKit.cases(p, options(), category).stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
                    CaseResult r = c.run();
                    if (r.skipped()) {
                        Assumptions.abort(r.message());
                    }
                    if (r.failed()) {
                        Assertions.fail(failure(providerName, r));
                    }
                }));
    }

    /**
     * Everything needed to reproduce a failed case from the build log alone: the category, the configuration with
     * its seed (the case name), what went wrong, and how to run that case by itself.
     */
    static String failure(String provider, CaseResult r) {
        return "conformance case [" + r.category() + "] " + r.name() + " failed on provider '" + provider + "': "
                + r.message() + "; run it alone: java -cp ... " + ConformanceMain.class.getName() + " " + provider
                + " --category " + r.category().label() + " --case '" + r.name() + "'";
    }
}
