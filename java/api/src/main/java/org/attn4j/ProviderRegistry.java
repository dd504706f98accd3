package org.attn4j;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.attn4j.internal.Arguments;
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
    /** The name diagnostics show for a plugin that failed before it could say its own. */
    private static final String FAILED = "(failed to load)";

    /** Providers found, highest priority first (then by name), with the name and priority read at discovery. */
    private final List<VettedProvider> vetted;
    private final List<AttentionProvider> providers;
    private final List<ProviderInfo> loadFailures;

    private ProviderRegistry(List<VettedProvider> vetted, List<ProviderInfo> loadFailures) {
        List<VettedProvider> sorted = new ArrayList<>(vetted);
        sorted.sort(Comparator.comparingInt((VettedProvider v) -> v.priority).reversed()
                .thenComparing(v -> v.name));
        this.vetted = List.copyOf(sorted);
        this.providers = sorted.stream().map(v -> v.provider).collect(Collectors.toUnmodifiableList());
        this.loadFailures = List.copyOf(loadFailures);
    }

    /**
     * Providers found by ServiceLoader through the thread's context class loader and attn4j's own. A plugin that
     * fails in any way (its class missing or broken, its constructor throwing, its name, priority or capabilities
     * throwing or making no sense) is left out and listed by {@link #diagnostics()} with the cause; the others work.
     */
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

    /** Providers found by ServiceLoader through {@code loader}, broken plugins left out as {@link #load()} does. */
    public static ProviderRegistry load(ClassLoader loader) {
        Map<String, AttentionProvider> byClass = new LinkedHashMap<>();
        List<ProviderInfo> failures = new ArrayList<>();
        loadInto(loader, byClass, failures);
        return create(new ArrayList<>(byClass.values()), failures);
    }

    /** A registry of exactly these providers (tests, embedding), checked as discovery checks plugins. */
    public static ProviderRegistry of(AttentionProvider... providers) {
        Arguments.notNull(providers, "providers", "an array of providers");
        List<AttentionProvider> list = new ArrayList<>();
        for (int i = 0; i < providers.length; i++) {
            list.add(Arguments.notNull(providers[i], "providers[" + i + "]", "a provider"));
        }
        return create(list, new ArrayList<>());
    }

    private static ProviderRegistry create(List<AttentionProvider> found, List<ProviderInfo> failures) {
        Map<String, VettedProvider> byName = new LinkedHashMap<>();
        for (AttentionProvider p : found) {
            VettedProvider v;
            try {
                v = VettedProvider.vet(p);
            } catch (VettedProvider.Rejected r) {
                LOG.warn("attn4j: provider {} left out: {}", p.getClass().getName(), r.getMessage());
                failures.add(new ProviderInfo(r.name != null ? r.name : FAILED, Integer.MIN_VALUE, false,
                        "left out (" + p.getClass().getName() + "): " + r.getMessage(), "", p.getClass().getName(),
                        ProviderInfo.originOf(p.getClass())));
                continue;
            }
            VettedProvider previous = byName.putIfAbsent(v.name.toLowerCase(Locale.ROOT), v);
            if (previous != null) {
                LOG.warn("attn4j: two providers are named '{}': {} and {}; keeping the first", v.name,
                        previous.provider.getClass().getName(), p.getClass().getName());
                failures.add(new ProviderInfo(v.name, v.priority, false, "duplicate name, ignored (first is "
                        + previous.provider.getClass().getName() + ")", "", p.getClass().getName(),
                        ProviderInfo.originOf(p.getClass())));
            }
        }
        return new ProviderRegistry(new ArrayList<>(byName.values()), failures);
    }

    private static void loadInto(ClassLoader loader, Map<String, AttentionProvider> byClass,
                                 List<ProviderInfo> failures) {
        Iterator<ServiceLoader.Provider<AttentionProvider>> it =
                ServiceLoader.load(AttentionProvider.class, loader).stream().iterator();
        while (true) {
            ServiceLoader.Provider<AttentionProvider> found;
            try {
                if (!it.hasNext()) {
                    return;
                }
                found = it.next();
            } catch (Throwable e) {
                // A class listed but missing, not a provider, or without a public constructor: the message names
                // it. A broken plugin must not hide the others: record it and go on.
                PluginFailure.rethrowIfFatal(e);
                LOG.warn("attn4j: a provider failed to load: {}", PluginFailure.describe(e));
                failures.add(new ProviderInfo(FAILED, Integer.MIN_VALUE, false,
                        "failed to load: " + PluginFailure.describe(e), "", "?", "?"));
                continue;
            }
            Class<?> type = found.type();
            if (byClass.containsKey(type.getName())) {
                continue;
            }
            try {
                byClass.put(type.getName(), found.get());
            } catch (Throwable e) {
                PluginFailure.rethrowIfFatal(e);
                LOG.warn("attn4j: provider {} failed to load: {}", type.getName(), PluginFailure.describe(e));
                failures.add(new ProviderInfo(FAILED, Integer.MIN_VALUE, false,
                        "failed to load: " + PluginFailure.describe(e), "", type.getName(),
                        ProviderInfo.originOf(type)));
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
        return vetted.stream().map(v -> v.name).collect(Collectors.toList());
    }

    /** The provider of this name (case-insensitive, surrounding spaces ignored), if one was found. */
    public Optional<AttentionProvider> find(String name) {
        Arguments.notNull(name, "provider", "a provider name");
        String n = name.trim();
        return vetted.stream().filter(v -> v.name.equalsIgnoreCase(n)).map(v -> v.provider).findFirst();
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
     * @throws IllegalArgumentException for an unknown name, a named provider unavailable on this machine, or when
     *                                  the chosen or every provider cannot run it; the message starts with
     *                                  {@code provider}
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
        Arguments.notNull(request, "request", "an AttentionRequest");
        String name = explicitName != null ? explicitName : configuredName().orElse(null);
        String pass = backward ? "backward" : "forward";
        if (name != null) {
            AttentionProvider p = get(name);
            String pName = nameOf(p);
            Availability a = availabilityOf(p);
            if (!a.isAvailable()) {
                // Unavailable here is a fact about the machine, but asking for it is the caller's choice: the same
                // exception as an unknown name, so that one catch serves every bad selection.
                throw new IllegalArgumentException("provider '" + pName + "' is unavailable: " + a.reason());
            }
            Support s = supportOf(p, request, backward);
            if (!s.isSupported()) {
                throw new IllegalArgumentException("provider '" + pName + "' cannot run this " + pass + " pass: "
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
        for (VettedProvider v : vetted) {
            Availability a = availabilityOf(v.provider);
            if (!a.isAvailable()) {
                reasons.add(v.name + ": unavailable (" + a.reason() + ")");
                continue;
            }
            Support s = supportOf(v.provider, request, backward);
            if (s.isSupported()) {
                LOG.debug("attn4j: {} pass on provider '{}' for {}", pass, v.name, request.describe());
                return v.provider;
            }
            reasons.add(v.name + ": " + s.reason());
        }
        throw new IllegalArgumentException("provider: none can run this " + pass + " pass ("
                + request.describe() + "): " + (reasons.isEmpty() ? "no providers found on the class path"
                : String.join("; ", reasons)));
    }

    /** Every provider found, available or not, with the reason, plus any that failed to load. */
    public List<ProviderInfo> diagnostics() {
        List<ProviderInfo> out = new ArrayList<>();
        for (VettedProvider v : vetted) {
            String caps;
            try {
                caps = v.provider.capabilities().summary();
            } catch (Throwable e) {
                PluginFailure.rethrowIfFatal(e);
                caps = "capabilities failed: " + PluginFailure.describe(e);
            }
            Availability a = availabilityOf(v.provider);
            out.add(new ProviderInfo(v.name, v.priority, a.isAvailable(), a.reason(), caps,
                    v.provider.getClass().getName(), ProviderInfo.originOf(v.provider.getClass())));
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

    /** The name {@code p} had at discovery (a plugin's later answers are not trusted). */
    private String nameOf(AttentionProvider p) {
        return vetted.stream().filter(v -> v.provider == p).map(v -> v.name).findFirst().orElse("?");
    }

    /** The provider's availability; a plugin that throws or answers null is unavailable, with the cause. */
    private static Availability availabilityOf(AttentionProvider p) {
        try {
            Availability a = p.availability();
            return a != null ? a : Availability.unavailable("availability() returned null");
        } catch (Throwable e) {
            PluginFailure.rethrowIfFatal(e);
            return Availability.unavailable("availability() threw " + PluginFailure.describe(e));
        }
    }

    /** Whether the provider takes the request; a plugin that throws or answers null does not, with the cause. */
    private static Support supportOf(AttentionProvider p, AttentionRequest r, boolean backward) {
        String method = backward ? "supportsBackward()" : "supports()";
        try {
            Support s = backward ? p.supportsBackward(r) : p.supports(r);
            return s != null ? s : Support.no(method + " returned null");
        } catch (Throwable e) {
            PluginFailure.rethrowIfFatal(e);
            return Support.no(method + " threw " + PluginFailure.describe(e));
        }
    }
}
