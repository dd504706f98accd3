package org.attn4j.cli;

import picocli.CommandLine;

/** {@code attn4j --version}: the version from the jar's manifest (or "development" when run from classes). */
final class VersionProvider implements CommandLine.IVersionProvider {
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : "development build";
    }

    @Override
    public String[] getVersion() {
        return new String[] {"attn4j " + version(),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
    }
}
