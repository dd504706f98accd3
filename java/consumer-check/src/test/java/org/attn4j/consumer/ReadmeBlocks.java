package org.attn4j.consumer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The code blocks of a Markdown file that a marker line {@code <!-- consumer-check: NAME -->} names (the marker is
 * invisible once rendered and stands on the line just before the opening fence). The consumer check builds what the
 * README shows, so it reads the blocks from there instead of keeping copies.
 */
final class ReadmeBlocks {
    private static final String MARKER_START = "<!-- consumer-check: ";
    private static final String MARKER_END = " -->";

    private final Map<String, String> blocks;
    private final String source;

    private ReadmeBlocks(Map<String, String> blocks, String source) {
        this.blocks = blocks;
        this.source = source;
    }

    static ReadmeBlocks read(Path markdown) throws IOException {
        return parse(Files.readString(markdown, StandardCharsets.UTF_8), markdown.toString());
    }

    static ReadmeBlocks parse(String markdown, String source) {
        List<String> lines = markdown.lines().toList();
        Map<String, String> blocks = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (!line.startsWith(MARKER_START) || !line.endsWith(MARKER_END)) {
                continue;
            }
            String name = line.substring(MARKER_START.length(), line.length() - MARKER_END.length()).strip();
            if (i + 1 >= lines.size() || !lines.get(i + 1).startsWith("```")) {
                throw new IllegalArgumentException(source + " line " + (i + 1) + ": the marker of block '" + name
                        + "' must stand just before a ``` fence");
            }
            StringBuilder body = new StringBuilder();
            int j = i + 2;
            while (j < lines.size() && !lines.get(j).startsWith("```")) {
                body.append(lines.get(j)).append('\n');
                j++;
            }
            if (j == lines.size()) {
                throw new IllegalArgumentException(source + ": block '" + name + "' is never closed");
            }
            if (blocks.put(name, body.toString()) != null) {
                throw new IllegalArgumentException(source + ": block '" + name + "' is marked twice");
            }
            i = j;
        }
        return new ReadmeBlocks(blocks, source);
    }

    /** The text of the block, lines ending in a newline. */
    String get(String name) {
        String b = blocks.get(name);
        if (b == null) {
            throw new IllegalArgumentException(source + ": no code block marked '" + MARKER_START + name
                    + MARKER_END + "' (the consumer check builds and runs it)");
        }
        return b;
    }
}
