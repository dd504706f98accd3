package org.attn4j;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Support;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The providers found on the class path, and the rules that pick one for a request.
 *
 * <p>Selection: an explicit name (argument, else system property {@value #PROPERTY}, else environment variable
 * {@value #ENV}) picks that provider or fails with the reason; otherwise the highest-priority available provider that
 * supports the request runs it. {@link #diagnostics()} lists every provider found, including those that failed to
 * load, with the reason.
 */
public final class ProviderRegistry {
    /** System property naming the provider to use. */
    public static final String PROPERTY = "attn4j.provider";
    /** Environment variable naming the provider to use (the system property wins). */
    public static final String ENV = "ATTN4J_PROVIDER";

    private static final Logger LOG = LoggerFactory.getLogger(ProviderRegistry.class);

    private final List<AttentionProvider> providers;
    private final List<ProviderInfo> loadFailures;

    private ProviderRegistry(List<AttentionProvider> providers, List<ProviderInfo> loadFailures) {
        List<AttentionProvider> sorted = new ArrayList<>(providers);
        sorted.sort(Comparator.comparingInt(AttentionProvider::priority).reversed()
                .thenComparing(AttentionProvider::name));
        this.providers = List.copyOf(sorted);
        this.loadFailures = List.copyOf(loadFailures);
    }

    /** Providers found by ServiceLoader through the thread's context class loader and attn4j's own. */
    public static ProviderRegistry load() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        ClassLoader own = ProviderRegistry.class.getClassLoader();
        Map<String, AttentionProvider> byClass = new LinkedHashMap<>();
        List<ProviderInfo> failures = new ArrayList<>();
        loadInto(context != null ? context : own, byClass, failures);
        if (context != null && context != own) {
            loadInto(own, byClass, failures);
        }
        return create(new ArrayList<>(byClass.values()), failures);
    }

    /** Providers found by ServiceLoader through {@code loader}. */
    public static ProviderRegistry load(ClassLoader loader) {
        Map<String, AttentionProvider> byClass = new LinkedHashMap<>();
        List<ProviderInfo> failures = new ArrayList<>();
        loadInto(loader, byClass, failures);
        return create(new ArrayList<>(byClass.values()), failures);
    }

    /** A registry of exactly these providers (tests, embedding). */
    public static ProviderRegistry of(AttentionProvider... providers) {
        return create(List.of(providers), List.of());
    }

    private static ProviderRegistry create(List<AttentionProvider> found, List<ProviderInfo> failures) {
        Map<String, AttentionProvider> byName = new LinkedHashMap<>();
        for (AttentionProvider p : found) {
            String name = p.name();
            AttentionProvider previous = byName.putIfAbsent(name, p);
            if (previous != null) {
                LOG.warn("attn4j: two providers are named '{}': {} and {}; keeping the first", name,
                        previous.getClass().getName(), p.getClass().getName());
                failures.add(new ProviderInfo(name, p.priority(), false, "duplicate name, ignored (first is "
                        + previous.getClass().getName() + ")", "", p.getClass().getName(),
                        ProviderInfo.originOf(p.getClass())));
            }
        }
        return new ProviderRegistry(new ArrayList<>(byName.values()), failures);
    }

    private static void loadInto(ClassLoader loader, Map<String, AttentionProvider> byClass,
                                 List<ProviderInfo> failures) {
        Iterator<AttentionProvider> it = ServiceLoader.load(AttentionProvider.class, loader).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    return;
                }
                AttentionProvider p = it.next();
                byClass.putIfAbsent(p.getClass().getName(), p);
            } catch (ServiceConfigurationError | LinkageError e) {
                // A broken plugin must not hide the others: record it and go on.
                LOG.warn("attn4j: a provider failed to load: {}", e.toString());
                failures.add(new ProviderInfo("(failed to load)", Integer.MIN_VALUE, false,
                        "failed to load: " + e.getMessage(), "", "?", "?"));
            }
        }
    }

    /** The name set by system property or environment variable, if any. */
    public static Optional<String> configuredName() {
        String p = System.getProperty(PROPERTY);
        if (p != null && !p.isBlank()) {
            return Optional.of(p.trim());
        }
        String e = System.getenv(ENV);
        if (e != null && !e.isBlank()) {
            return Optional.of(e.trim());
        }
        return Optional.empty();
    }

    /** Every provider found, highest priority first. */
    public List<AttentionProvider> providers() {
        return providers;
    }

    public List<String> names() {
        return providers.stream().map(AttentionProvider::name).collect(Collectors.toList());
    }

    public Optional<AttentionProvider> find(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return providers.stream().filter(p -> p.name().equalsIgnoreCase(n)).findFirst();
    }

    /**
     * The provider of this name.
     *
     * @throws IllegalArgumentException if none has that name; the message lists the names found
     */
    public AttentionProvider get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("provider: unknown name '" + name
                + "'; found " + (providers.isEmpty() ? "no providers" : String.join(", ", names()))));
    }

    /** The provider that would run {@code request}: the configured one, else the best available that supports it. */
    public AttentionProvider select(AttentionRequest request) {
        return select(request, null);
    }

    /**
     * The provider for {@code request}.
     *
     * @param explicitName a name that overrides the configured one and automatic selection, or {@code null}
     * @throws IllegalArgumentException for an unknown name, or when the chosen or every provider cannot run it
     * @throws IllegalStateException when the named provider is unavailable on this machine
     */
    public AttentionProvider select(AttentionRequest request, String explicitName) {
        return choose(request, explicitName, false, null);
    }

    /** Like {@link #select} for the backward pass, preferring {@code preferred} (the forward's provider). */
    public AttentionProvider selectBackward(AttentionRequest request, String explicitName, String preferred) {
        return choose(request, explicitName, true, preferred);
    }

    private AttentionProvider choose(AttentionRequest request, String explicitName, boolean backward,
                                     String preferred) {
        String name = explicitName != null ? explicitName : configuredName().orElse(null);
        String pass = backward ? "backward" : "forward";
        if (name != null) {
            AttentionProvider p = get(name);
            Availability a = availabilityOf(p);
            if (!a.isAvailable()) {
                throw new IllegalStateException("provider '" + p.name() + "' is unavailable: " + a.reason());
            }
            Support s = supportOf(p, request, backward);
            if (!s.isSupported()) {
                throw new IllegalArgumentException("provider '" + p.name() + "' cannot run this " + pass + " pass: "
                        + s.reason());
            }
            return p;
        }
        if (preferred != null) {
            Optional<AttentionProvider> p = find(preferred);
            if (p.isPresent() && availabilityOf(p.get()).isAvailable()
                    && supportOf(p.get(), request, backward).isSupported()) {
                return p.get();
            }
        }
        List<String> reasons = new ArrayList<>();
        for (AttentionProvider p : providers) {
            Availability a = availabilityOf(p);
            if (!a.isAvailable()) {
                reasons.add(p.name() + ": unavailable (" + a.reason() + ")");
                continue;
            }
            Support s = supportOf(p, request, backward);
            if (s.isSupported()) {
                LOG.debug("attn4j: {} pass on provider '{}' for {}", pass, p.name(), request.describe());
                return p;
            }
            reasons.add(p.name() + ": " + s.reason());
        }
        throw new IllegalArgumentException("no provider can run this " + pass + " pass ("
                + request.describe() + "): " + (reasons.isEmpty() ? "no providers found on the class path"
                : String.join("; ", reasons)));
    }

    /** Every provider found, available or not, with the reason, plus any that failed to load. */
    public List<ProviderInfo> diagnostics() {
        List<ProviderInfo> out = new ArrayList<>();
        for (AttentionProvider p : providers) {
            String caps;
            try {
                caps = p.capabilities().summary();
            } catch (RuntimeException e) {
                caps = "capabilities failed: " + e;
            }
            out.add(ProviderInfo.of(p, availabilityOf(p), caps));
        }
        out.addAll(loadFailures);
        return out;
    }

    /** A plain-text table of {@link #diagnostics()}, with the selection rule and any override in force. */
    public String report() {
        StringBuilder sb = new StringBuilder();
        List<ProviderInfo> infos = diagnostics();
        int width = infos.stream().mapToInt(i -> i.name().length()).max().orElse(4);
        for (ProviderInfo i : infos) {
            sb.append(String.format("  %-" + width + "s  %-11s  priority %-5s %s%n", i.name(),
                    i.available() ? "available" : "unavailable",
                    i.priority() == Integer.MIN_VALUE ? "-" : String.valueOf(i.priority()), i.reason()));
            if (!i.capabilities().isEmpty()) {
                sb.append(String.format("  %-" + width + "s  %s%n", "", i.capabilities()));
            }
        }
        Optional<String> configured = configuredName();
        sb.append(configured.map(n -> "  selection: forced to '" + n + "' by " + (System.getProperty(PROPERTY)
                != null ? "-D" + PROPERTY : ENV))
                .orElse("  selection: highest-priority available provider that supports the request"));
        sb.append(System.lineSeparator());
        return sb.toString();
    }

    private static Availability availabilityOf(AttentionProvider p) {
        try {
            Availability a = p.availability();
            return a != null ? a : Availability.unavailable("provider returned no availability");
        } catch (RuntimeException | LinkageError e) {
            return Availability.unavailable("availability check failed: " + e);
        }
    }

    private static Support supportOf(AttentionProvider p, AttentionRequest r, boolean backward) {
        try {
            return backward ? p.supportsBackward(r) : p.supports(r);
        } catch (RuntimeException e) {
            return Support.no("support check failed: " + e);
        }
    }
}
