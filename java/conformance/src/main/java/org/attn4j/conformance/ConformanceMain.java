package org.attn4j.conformance;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.attn4j.Attention;
import org.attn4j.ProviderRegistry;
import org.attn4j.spi.AttentionProvider;

/**
 * Runs the kit from a shell, on a provider found on the class path:
 *
 * <pre>
 * java -cp ... org.attn4j.conformance.ConformanceMain [NAME] [--category masks,backward] [--case TEXT] [--verbose]
 * </pre>
 *
 * {@code --case TEXT} runs only the cases whose name contains TEXT (a failure message gives the exact name, seed
 * included). NAME defaults to {@code -Dattn4j.provider} or {@code ATTN4J_PROVIDER}. Prints the report; exits 0 when no case
 * failed, 1 when one did, 2 on bad arguments. Providers that take only device tensors need a
 * {@link TensorPlacement} and so a small program of their own around {@link ConformanceKit}.
 */
public final class ConformanceMain {
    private ConformanceMain() {
    }

    public static void main(String[] args) {
        String name = null;
        Set<CaseCategory> categories = EnumSet.allOf(CaseCategory.class);
        boolean verbose = false;
        String only = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--verbose") || a.equals("-v")) {
                verbose = true;
            } else if (a.equals("--case") && i + 1 < args.length) {
                only = args[++i];
            } else if (a.equals("--category") && i + 1 < args.length) {
                categories = parseCategories(args[++i]);
                if (categories == null) {
                    System.exit(2);
                    return;
                }
            } else if (a.startsWith("-")) {
                System.err.println("unknown option " + a + "; usage: ConformanceMain [NAME] [--category LIST]"
                        + " [--case TEXT] [--verbose]");
                System.exit(2);
                return;
            } else {
                name = a;
            }
        }
        if (name == null) {
            name = ProviderRegistry.configuredName().orElse(null);
        }
        if (name == null) {
            System.err.println("name the provider to test: an argument, -D" + ProviderRegistry.PROPERTY + " or "
                    + ProviderRegistry.ENV + "; found: " + String.join(", ", Attention.registry().names()));
            System.exit(2);
            return;
        }
        AttentionProvider provider;
        try {
            provider = Attention.provider(name);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        ConformanceOptions options = ConformanceOptions.defaultsFor(provider);
        List<ConformanceCase> cases = new ArrayList<>();
        for (CaseCategory c : categories) {
            for (ConformanceCase k : ConformanceKit.cases(provider, options, c)) {
                if (only == null || k.name().contains(only)) {
                    cases.add(k);
                }
            }
        }
        if (cases.isEmpty()) {
            System.err.println("--case: no case of the categories chosen has '" + only + "' in its name");
            System.exit(2);
            return;
        }
        long start = System.nanoTime();
        List<CaseResult> results = new ArrayList<>();
        for (ConformanceCase c : cases) {
            CaseResult r = c.run();
            results.add(r);
            if (verbose || r.failed()) {
                System.out.println(r);
            }
        }
        ConformanceReport report = new ConformanceReport(provider.name(), results, System.nanoTime() - start);
        System.out.print(report.summary());
        System.exit(report.allPassed() ? 0 : 1);
    }

    private static Set<CaseCategory> parseCategories(String list) {
        Set<CaseCategory> out = EnumSet.noneOf(CaseCategory.class);
        for (String part : list.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            CaseCategory found = null;
            for (CaseCategory c : CaseCategory.values()) {
                if (c.label().equals(p)) {
                    found = c;
                }
            }
            if (found == null) {
                StringBuilder known = new StringBuilder();
                for (CaseCategory c : CaseCategory.values()) {
                    known.append(known.length() == 0 ? "" : ", ").append(c.label());
                }
                System.err.println("--category: unknown '" + part + "'; expected some of " + known);
                return null;
            }
            out.add(found);
        }
        return out;
    }
}
