package org.attn4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Tiny shapes files so that end-to-end runs take well under a second of reference time per row. */
final class TestShapes {
    private TestShapes() {
    }

    /** One tiny shape with the given masks (';'-separated). */
    static Path csv(Path dir, String masks) throws IOException {
        Path f = dir.resolve("shapes.csv");
        Files.writeString(f, "# tiny shapes for tests\nname,batch,heads,kv_heads,seq,head_dim,block,masks\n"
                + "tiny,1,2,1,64,16,16," + masks + "\n");
        return f;
    }

    /** Options for a fast run: one shape file, few repetitions, no progress, no table. */
    static BenchOptions fast(Path shapes) {
        BenchOptions o = new BenchOptions();
        o.shapes.add(shapes.toString());
        o.warmup = 0;
        o.minReps = 1;
        o.maxReps = 2;
        o.targetSeconds = 0.0;
        o.progress = false;
        o.table = false;
        o.rotateBytes = 0;
        o.maxSets = 2;
        return o;
    }
}
