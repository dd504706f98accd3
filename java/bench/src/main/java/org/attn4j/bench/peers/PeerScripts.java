package org.attn4j.bench.peers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The peer scripts (ci/peers/*.py), copied into the jar at build time and extracted next to each other into a
 * temporary folder, so that {@code bench --peers} works from a jar as well as from the source tree.
 */
public final class PeerScripts {
    /** The scripts; the peers import {@code peer_common}. */
    public static final List<String> FILES = List.of("peer_common.py", "numpy_peer.py", "torch_peer.py",
            "numpy_decode_peer.py");
    private static final String RESOURCE_DIR = "/org/attn4j/bench/peers/";

    private PeerScripts() {
    }

    /** Copies the scripts into {@code dir} and returns it. */
    public static Path extractTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String name : FILES) {
            try (InputStream in = PeerScripts.class.getResourceAsStream(RESOURCE_DIR + name)) {
                if (in == null) {
                    throw new IllegalStateException("peer script " + name + " is missing from the class path ("
                            + RESOURCE_DIR + "); rebuild the attn4j-bench jar");
                }
                Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return dir;
    }
}
