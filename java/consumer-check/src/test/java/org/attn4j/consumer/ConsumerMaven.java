package org.attn4j.consumer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Maven that runs this build, run again for a consumer project. Its local repository is the one the artifacts
 * under test were installed into (under target/); the build's own local repository (~/.m2) is a read-only tail
 * (Maven 3.9+), so plugins and third-party jars come from there without a download and nothing is written to it.
 * Offline when this build is.
 */
record ConsumerMaven(Path mavenHome, Path repository, Path tail, boolean offline) {

    static ConsumerMaven fromBuild() {
        return new ConsumerMaven(Path.of(required("attn4j.maven.home")), Path.of(required("attn4j.consumer.repository")),
                Path.of(required("attn4j.maven.repository")), Boolean.parseBoolean(required("attn4j.maven.offline")));
    }

    ProcessRun run(Path project, List<String> goals) throws IOException, InterruptedException {
        Path mvn = mavenHome.resolve("bin").resolve("mvn");
        if (!Files.isExecutable(mvn)) {
            throw new AssertionError("no Maven launcher at " + mvn);
        }
        List<String> command = new ArrayList<>(List.of(mvn.toString(), "-B", "-ntp",
                "-Dmaven.repo.local=" + repository, "-Dmaven.repo.local.tail=" + tail));
        if (offline) {
            command.add("-o");
        }
        command.addAll(goals);
        return ProcessRun.run(project, command, Map.of("JAVA_HOME", System.getProperty("java.home")), 300);
    }

    static String required(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank() || v.startsWith("${")) {
            throw new IllegalStateException("system property " + property + " is not set (run through Maven: "
                    + "./mvnw verify -pl java/consumer-check -am)");
        }
        return v;
    }
}
