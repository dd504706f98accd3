package org.attn4j.conformance;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.attn4j.ProviderRegistry;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Capabilities;

/** The plugin contract of {@link AttentionProvider}, apart from the numbers. */
final class ContractCases {
    private ContractCases() {
    }

    static List<ConformanceCase> all(AttentionProvider p, ConformanceOptions options) {
        return List.of(
                new ConformanceCase(CaseCategory.CONTRACT, "name() is non-empty, lower-case, without spaces", f -> {
                    String n = p.name();
                    if (n == null || n.isBlank() || !n.equals(n.toLowerCase(Locale.ROOT)) || n.matches(".*\\s.*")) {
                        f.fail("name() returned '" + n + "'");
                    }
                }),
                new ConformanceCase(CaseCategory.CONTRACT, "availability() answers with a reason", f -> {
                    Availability a = p.availability();
                    if (a == null) {
                        f.fail("availability() returned null");
                    } else if (a.reason() == null || a.reason().isBlank()) {
                        f.fail("availability() gives no reason");
                    }
                }),
                new ConformanceCase(CaseCategory.CONTRACT, "capabilities() answers, the same each time", f -> {
                    Capabilities c = p.capabilities();
                    if (c == null) {
                        f.fail("capabilities() returned null");
                    } else if (!c.summary().equals(p.capabilities().summary())) {
                        f.fail("capabilities() changes between calls");
                    }
                }),
                new ConformanceCase(CaseCategory.CONTRACT,
                        "found by ServiceLoader (META-INF/services/org.attn4j.spi.AttentionProvider) under its name",
                        f -> {
                            if (!options.requireRegistration()) {
                                throw new CaseSkipped("the kit's options do not require registration");
                            }
                            ClassLoader loader = p.getClass().getClassLoader();
                            Optional<AttentionProvider> found = ProviderRegistry.load(loader).find(p.name());
                            if (found.isEmpty()) {
                                f.fail("no provider named '" + p.name() + "' is listed in"
                                        + " META-INF/services/org.attn4j.spi.AttentionProvider on the class path");
                            } else if (found.get().getClass() != p.getClass()) {
                                f.fail("the provider named '" + p.name() + "' on the class path is "
                                        + found.get().getClass().getName() + ", not " + p.getClass().getName());
                            }
                        }));
    }
}
