package org.attn4j.conformance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.attn4j.DType;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Capabilities;

/**
 * The conformance kit without JUnit: the list of cases for a provider, and a run of them all. A command-line tool
 * or a GPU script uses this; {@link ProviderConformanceTest} turns the same cases into JUnit tests.
 *
 * <pre>{@code
 * ConformanceReport report = ConformanceKit.run(new MyProvider());
 * System.out.println(report.summary());
 * if (!report.allPassed()) System.exit(1);
 * }</pre>
 *
 * <p>Every case compares the provider with the {@code reference} provider on the same inputs (rounded to the case's
 * type), by relative error {@code ||x - ref|| / ||ref||} against the {@link Tolerances}. Cases that the provider
 * declares unsupported (through {@link AttentionProvider#supports}, {@link AttentionProvider#supportsBackward} and
 * {@link AttentionProvider#capabilities}) are skipped with its reason, never passed.
 */
public final class ConformanceKit {
    private ConformanceKit() {
    }

    /** Every case, with the SPEC's tolerances for this provider and host tensors. */
    public static List<ConformanceCase> cases(AttentionProvider provider) {
        return cases(provider, ConformanceOptions.defaultsFor(provider));
    }

    /** Every case. */
    public static List<ConformanceCase> cases(AttentionProvider provider, ConformanceOptions options) {
        List<ConformanceCase> all = new ArrayList<>();
        for (CaseCategory c : CaseCategory.values()) {
            all.addAll(cases(provider, options, c));
        }
        return all;
    }

    /** The cases of one category. */
    public static List<ConformanceCase> cases(AttentionProvider provider, ConformanceOptions options,
                                              CaseCategory category) {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(category, "category");
        Capabilities caps = provider.capabilities();
        if (caps == null) {
            throw new IllegalArgumentException("provider '" + provider.name() + "': capabilities() returned null");
        }
        DType main = mainType(caps);
        List<ConformanceCase> out = new ArrayList<>();
        switch (category) {
            case CONTRACT:
                out.addAll(ContractCases.all(provider, options));
                break;
            case ERRORS:
                out.addAll(ErrorCases.all(provider, options, main));
                break;
            case SHAPES:
                forward(out, category, ScenarioCatalog.shapes(), provider, options, caps, main);
                break;
            case MASKS:
                forward(out, category, ScenarioCatalog.masks(), provider, options, caps, main);
                break;
            case DECODE:
                forward(out, category, ScenarioCatalog.decode(), provider, options, caps, main);
                break;
            case FULLY_MASKED:
                forward(out, category, ScenarioCatalog.fullyMasked(), provider, options, caps, main);
                break;
            case ODD_SIZES:
                forward(out, category, ScenarioCatalog.oddSizes(), provider, options, caps, main);
                break;
            case DTYPES:
                forward(out, category, ScenarioCatalog.dtypes(), provider, options, caps, null);
                break;
            case OUTPUTS:
                forward(out, category, ScenarioCatalog.outputs(), provider, options, caps, main);
                break;
            case BACKWARD:
                for (Scenario s : adapt(ScenarioCatalog.backward(), caps, main)) {
                    out.add(new ConformanceCase(category, s.name(), f -> BackwardCheck.run(s, provider, options, f)));
                }
                break;
            case FLASH_ATTENTION_GRID: {
                // Head dims stay as FlashAttention's: a provider that does not declare one skips the case.
                List<List<Scenario>> grid = FlashAttentionGrid.cases();
                for (Scenario s : inType(grid.get(0), main)) {
                    out.add(new ConformanceCase(category, s.name(), f -> ForwardCheck.run(s, provider, options, f)));
                }
                for (Scenario s : inType(grid.get(1), main)) {
                    out.add(new ConformanceCase(category, "backward " + s.name(),
                            f -> BackwardCheck.run(s, provider, options, f)));
                }
                break;
            }
            case KV_CACHE:
                out.addAll(decodeCases(provider, options, caps));
                break;
            default:
                throw new IllegalStateException("unknown category " + category);
        }
        return unique(out);
    }

    /** Runs every case, in order. */
    public static ConformanceReport run(AttentionProvider provider) {
        return run(provider, ConformanceOptions.defaultsFor(provider));
    }

    /** Runs every case, in order. */
    public static ConformanceReport run(AttentionProvider provider, ConformanceOptions options) {
        return run(provider, cases(provider, options));
    }

    /** Runs the given cases, in order. */
    public static ConformanceReport run(AttentionProvider provider, List<ConformanceCase> cases) {
        long start = System.nanoTime();
        List<CaseResult> results = new ArrayList<>();
        for (ConformanceCase c : cases) {
            results.add(c.run());
        }
        return new ConformanceReport(provider.name(), results, System.nanoTime() - start);
    }

    /** The type most cases run in: fp32 when declared, else the first declared type. */
    static DType mainType(Capabilities caps) {
        return caps.dtypes().contains(DType.FP32) ? DType.FP32 : caps.dtypes().iterator().next();
    }

    private static void forward(List<ConformanceCase> out, CaseCategory category, List<Scenario> scenarios,
                                AttentionProvider provider, ConformanceOptions options, Capabilities caps,
                                DType main) {
        for (Scenario s : adapt(scenarios, caps, main)) {
            out.add(new ConformanceCase(category, s.name(), f -> ForwardCheck.run(s, provider, options, f)));
        }
    }

    /** The cache properties and the decode scenarios, adapted to what the provider's caches hold. */
    private static List<ConformanceCase> decodeCases(AttentionProvider provider, ConformanceOptions options,
                                                     Capabilities caps) {
        java.util.Set<DType> dtypes = caps.dtypes();
        java.util.Set<Integer> dims = caps.headDims();
        int maxDim = caps.maxHeadDim();
        if (provider instanceof org.attn4j.spi.DecodeProvider) {
            org.attn4j.decode.DecodeCapabilities dc = ((org.attn4j.spi.DecodeProvider) provider)
                    .decodeCapabilities();
            if (dc == null) {
                throw new IllegalArgumentException("provider '" + provider.name()
                        + "': decodeCapabilities() returned null");
            }
            dtypes = dc.dtypes();
            dims = dc.headDims();
            maxDim = dc.maxHeadDim();
        }
        DType main = dtypes.contains(DType.FP32) ? DType.FP32 : dtypes.iterator().next();
        List<ConformanceCase> out = new ArrayList<>(CacheCases.all(provider, options, main, dims));
        for (DecodeScenario s : DecodeCatalog.all()) {
            DecodeScenario a = s.adaptTo(dtypes, dims, maxDim, caps.valueDimMustEqualHeadDim());
            out.add(new ConformanceCase(CaseCategory.KV_CACHE, a.name(),
                    f -> DecodeCheck.run(a, provider, options, f)));
        }
        return out;
    }

    /**
     * Head dims the provider supports; fp32 scenarios moved to {@code main} when fp32 is not declared
     * ({@code main == null}: types stay as written, for the cases about types).
     */
    private static List<Scenario> adapt(List<Scenario> scenarios, Capabilities caps, DType main) {
        List<Scenario> out = new ArrayList<>();
        for (Scenario s : scenarios) {
            Scenario a = s.adaptTo(caps);
            if (main != null && a.dtype == DType.FP32 && main != DType.FP32) {
                a = a.toBuilder().dtype(main).build();
            }
            out.add(a);
        }
        return out;
    }

    /** fp32 scenarios moved to {@code main}, nothing else changed. */
    private static List<Scenario> inType(List<Scenario> scenarios, DType main) {
        List<Scenario> out = new ArrayList<>();
        for (Scenario s : scenarios) {
            out.add(s.dtype == DType.FP32 && main != DType.FP32 ? s.toBuilder().dtype(main).build() : s);
        }
        return out;
    }

    /** Case names are the identity of a case in reports: make repeats (after adaptation) distinct. */
    private static List<ConformanceCase> unique(List<ConformanceCase> cases) {
        Map<String, Integer> seen = new HashMap<>();
        List<ConformanceCase> out = new ArrayList<>(cases.size());
        for (ConformanceCase c : cases) {
            int n = seen.merge(c.name(), 1, Integer::sum);
            out.add(n == 1 ? c : c.renamed(c.name() + " #" + n));
        }
        return out;
    }
}
