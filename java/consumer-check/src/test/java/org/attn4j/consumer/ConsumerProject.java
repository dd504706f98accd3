package org.attn4j.consumer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A separate Maven project that depends on attn4j as a user's project does: its own POM around a README dependency
 * block, its own sources, built by the Maven that runs this build against the repository the artifacts were
 * installed into.
 */
final class ConsumerProject {
    /** The versions this build pins, so that the consumer needs nothing this build has not fetched already. */
    private static final String DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1";

    private final Path dir;

    private ConsumerProject(Path dir) {
        this.dir = dir;
    }

    /**
     * Writes the project: a POM whose {@code <dependencies>} hold {@code dependencies} verbatim, and {@code sources}
     * (path under src/main/java to content).
     */
    static ConsumerProject create(Path dir, String name, String dependencies, Map<String, String> sources)
            throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("pom.xml"), pom(name, dependencies), StandardCharsets.UTF_8);
        for (Map.Entry<String, String> s : sources.entrySet()) {
            Path file = dir.resolve("src/main/java").resolve(s.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, s.getValue(), StandardCharsets.UTF_8);
        }
        return new ConsumerProject(dir);
    }

    /**
     * Builds the projects in one Maven run (an aggregator POM in {@code dir} lists them: one Maven start instead of
     * one each): compiles them and writes their class paths and dependency trees.
     */
    static void buildAll(Path dir, List<ConsumerProject> projects, ConsumerMaven maven)
            throws IOException, InterruptedException {
        StringBuilder modules = new StringBuilder();
        for (ConsumerProject p : projects) {
            modules.append("    <module>").append(dir.relativize(p.dir)).append("</module>\n");
        }
        Files.createDirectories(dir.resolve(".mvn"));
        Files.writeString(dir.resolve("pom.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>org.attn4j.consumers</groupId>
                  <artifactId>consumers</artifactId>
                  <version>1</version>
                  <packaging>pom</packaging>
                  <modules>
                %s  </modules>
                </project>
                """.formatted(modules), StandardCharsets.UTF_8);
        maven.run(dir, List.of("compile",
                DEPENDENCY_PLUGIN + ":build-classpath", "-Dmdep.outputFile=target/classpath.txt",
                DEPENDENCY_PLUGIN + ":tree", "-DoutputFile=target/dependency-tree.txt")).requireSuccess();
    }

    /** What {@link #buildAll} made of this project. */
    Built built() throws IOException {
        String cp = Files.readString(dir.resolve("target/classpath.txt"), StandardCharsets.UTF_8).strip();
        List<Path> jars = new ArrayList<>();
        for (String s : cp.isEmpty() ? new String[0] : cp.split(java.io.File.pathSeparator)) {
            jars.add(Path.of(s));
        }
        return new Built(dir.resolve("target/classes"), List.copyOf(jars),
                Files.readString(dir.resolve("target/dependency-tree.txt"), StandardCharsets.UTF_8));
    }

    /** A compiled consumer: its classes, the jars Maven resolved for it, and {@code mvn dependency:tree}. */
    record Built(Path classes, List<Path> jars, String dependencyTree) {

        /** The artifact ids of the resolved jars, sorted. */
        List<String> artifactIds() {
            return jars.stream().map(j -> j.getParent().getParent().getFileName().toString()).sorted().toList();
        }

        /** {@code classes} and the jars, joined as a class or module path. */
        String path() {
            List<String> all = new ArrayList<>();
            all.add(classes.toString());
            jars.forEach(j -> all.add(j.toString()));
            return String.join(java.io.File.pathSeparator, all);
        }
    }

    private static String pom(String name, String dependencies) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>org.attn4j.consumers</groupId>
                  <artifactId>%s</artifactId>
                  <version>1</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <dependencies>
                %s
                  </dependencies>
                  <build>
                    <plugins>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-resources-plugin</artifactId>
                        <version>3.3.1</version>
                      </plugin>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-compiler-plugin</artifactId>
                        <version>3.13.0</version>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(name, indent(dependencies, "    "));
    }

    private static String indent(String text, String prefix) {
        return String.join("\n", Arrays.stream(text.split("\n")).map(l -> l.isEmpty() ? l : prefix + l).toList());
    }
}
