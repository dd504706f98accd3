package org.attn4j;

/**
 * Words a plugin's failure for diagnostics: the exception and its chain of causes on one line, so that a provider
 * whose constructor or method threw is listed with the reason, not just "failed".
 */
final class PluginFailure {
    private static final int MAX_CAUSES = 4;

    private PluginFailure() {
    }

    /** E.g. {@code ServiceConfigurationError: Provider x.Y could not be instantiated; caused by IllegalStateException: no licence}. */
    static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder(oneLine(t));
        Throwable cause = t.getCause();
        for (int i = 0; cause != null && cause != t && i < MAX_CAUSES; i++, cause = cause.getCause()) {
            sb.append("; caused by ").append(oneLine(cause));
        }
        return sb.toString();
    }

    /**
     * Rethrows what no plugin code should swallow (the JVM out of memory or stack), so that callers may catch
     * {@code Throwable} from a plugin and still not hide those.
     */
    static void rethrowIfFatal(Throwable t) {
        if (t instanceof VirtualMachineError) {
            throw (VirtualMachineError) t;
        }
    }

    private static String oneLine(Throwable t) {
        String m = t.getMessage();
        String name = t.getClass().getName();
        return (m == null ? name : name + ": " + m).strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
