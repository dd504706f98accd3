package org.attn4j.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.attn4j.Attention;
import org.attn4j.AttentionRequest;
import org.attn4j.DType;
import org.attn4j.ProviderInfo;
import org.attn4j.ProviderRegistry;
import org.attn4j.Tensor;
import org.attn4j.model.nn.simd.ModelKernels;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code attn4j info}: the machine (Java, OS, CPU) and every provider found, available or not and why, with its
 * priority and capabilities, and which provider a call would run on.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Show Java, OS and CPU, and every attention provider found: whether it is available (and if"
                + " not, why), its priority and capabilities, and which one runs by default."})
final class InfoCommand implements Callable<Integer> {
    /** A small dense request in each type, to ask the registry which provider it would choose. */
    private static final int PROBE_HEAD_DIM = 64;
    private static final int PROBE_LENGTH = 16;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        boolean verbose = Main.isVerbose(spec.root().commandLine().getParseResult());
        ProviderRegistry registry = Attention.registry();

        out.println("attn4j " + VersionProvider.version());
        out.println();
        out.println("Java       " + SystemDescription.java());
        out.println("Java home  " + SystemDescription.javaHome());
        out.println("OS         " + SystemDescription.os());
        out.println("CPU        " + SystemDescription.cpu());
        out.println("Memory     " + SystemDescription.memory());
        out.println("CPU kernels " + CpuKernelsDescription.describe());
        out.println("Model kernels " + modelKernels());
        out.println();

        List<ProviderInfo> infos = registry.diagnostics();
        out.println("Providers (" + registry.providers().size() + " found, highest priority first):");
        out.print(registry.report());
        if (verbose) {
            for (ProviderInfo i : infos) {
                out.println("  " + i.name() + ": " + i.implementation() + " from " + i.origin());
            }
        }
        out.println();

        out.println("Automatic selection (dense softmax request, D=" + PROBE_HEAD_DIM + ", tensors in host memory):");
        for (DType t : DType.values()) {
            out.println("  " + t.label() + "  " + automaticChoice(registry, t));
        }
        out.println(override(registry));
        out.flush();
        return Main.EXIT_OK;
    }

    /**
     * The provider automatic selection picks, ignoring any override: the highest-priority available provider that
     * supports the request (the rule of {@link ProviderRegistry}).
     */
    private static String automaticChoice(ProviderRegistry registry, DType dtype) {
        try (Tensor x = Tensor.allocate(dtype, 1, 1, PROBE_LENGTH, PROBE_HEAD_DIM)) {
            AttentionRequest probe = AttentionRequest.builder(x, x, x).build();
            for (AttentionProvider p : registry.providers()) {
                if (isAvailable(p) && supports(p, probe)) {
                    return p.name();
                }
            }
            return "none: no available provider supports it";
        }
    }

    /** What the override (system property or environment variable) does, or how to set one. */
    private static String override(ProviderRegistry registry) {
        Optional<String> name = ProviderRegistry.configuredName();
        if (name.isEmpty()) {
            return "Override: none (set ATTN4J_PROVIDER=NAME, or -D" + ProviderRegistry.PROPERTY
                    + "=NAME in JAVA_OPTS)";
        }
        String source = System.getProperty(ProviderRegistry.PROPERTY) != null
                ? "-D" + ProviderRegistry.PROPERTY + "=" + name.get()
                : ProviderRegistry.ENV + "=" + name.get();
        try (Tensor x = Tensor.allocate(DType.FP32, 1, 1, PROBE_LENGTH, PROBE_HEAD_DIM)) {
            AttentionProvider p = registry.select(AttentionRequest.builder(x, x, x).build());
            return "Override: " + source + ": every call runs on '" + p.name() + "'";
        } catch (IllegalArgumentException | IllegalStateException e) {
            return "Override: " + source + ": calls will fail: " + ErrorReporter.oneLine(e.getMessage());
        }
    }

    private static boolean isAvailable(AttentionProvider p) {
        try {
            Availability a = p.availability();
            return a != null && a.isAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static boolean supports(AttentionProvider p, AttentionRequest r) {
        try {
            return p.supports(r).isSupported();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The model layer's dense-layer kernels, or why the setting is refused (info reports, it does not fail). */
    private static String modelKernels() {
        try {
            return ModelKernels.linear().name();
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
