package org.attn4j.bench.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShapeSetsTest {

    @Test
    void flashAttentionSweepAtFullSize() {
        List<Shape> fa = ShapeSets.flashAttention(Scale.FULL, false, null);
        assertEquals(12, fa.size());
        Set<Integer> seqs = new TreeSet<>();
        Set<Integer> dims = new TreeSet<>();
        for (Shape s : fa) {
            assertEquals(16384, s.batch() * s.seqQ(), "batch = 16k / seq: " + s.describe());
            assertEquals(2048, s.headsQ() * s.headDim(), "hidden 2048: " + s.describe());
            assertEquals(s.seqQ(), s.seqK());
            assertEquals(s.headsQ(), s.headsKv());
            assertEquals(MaskSpec.flashAttentionDefaults(), s.masks());
            seqs.add(s.seqQ());
            dims.add(s.headDim());
        }
        assertEquals(Set.of(512, 1024, 2048, 4096, 8192, 16384), seqs);
        assertEquals(Set.of(64, 128), dims);
        assertTrue(fa.stream().anyMatch(s -> s.headDim() == 64 && s.headsQ() == 32));
        assertTrue(fa.stream().anyMatch(s -> s.headDim() == 128 && s.headsQ() == 16));
    }

    @Test
    void cpuScaleKeepsTheStructure() {
        for (Shape s : ShapeSets.flashAttention(Scale.CPU, false, null)) {
            assertEquals(ShapeSets.CPU_FA_TOKENS, s.batch() * s.seqQ());
            assertEquals(ShapeSets.CPU_FA_HIDDEN, s.headsQ() * s.headDim());
        }
        for (Shape s : ShapeSets.flashAttention(Scale.CPU, true, null)) {
            assertEquals(1024, s.batch() * s.seqQ());
        }
        assertEquals(8, ShapeSets.flashAttention(Scale.CPU, false, null).size());
        assertEquals(2, ShapeSets.flashAttention(Scale.CPU, true, null).size());
        assertEquals(2, ShapeSets.flashAttention(Scale.FULL, true, null).size());
    }

    @Test
    void attentionGymShape() {
        Shape g = ShapeSets.attentionGym(Scale.FULL, false, null).get(0);
        assertEquals(List.of(16, 16, 8192, 64, 128), List.of(g.batch(), g.headsQ(), g.seqQ(), g.headDim(),
                g.blockSize()));
        assertEquals(MaskSpec.gymDefaults(), g.masks());
        Shape c = ShapeSets.attentionGym(Scale.CPU, false, null).get(0);
        assertEquals(List.of(2, 4, 2048, 64, 64), List.of(c.batch(), c.headsQ(), c.seqQ(), c.headDim(),
                c.blockSize()));
        List<String> skipped = new ArrayList<>();
        List<Workload> w = Workload.expand(List.of(g), skipped);
        assertEquals(12, w.size());
        assertTrue(skipped.isEmpty());
        assertEquals("gym/b16.hq16.hkv16.nq8192.nk8192.d64.dv64/sliding_window(1024)", w.get(2).id());
        assertEquals("document(8)", w.get(3).mask().label());
        assertEquals("block_sparse(5%)", w.get(7).mask().label());
        assertEquals("block_topk(8)", w.get(8).mask().label());
    }

    @Test
    void masksResolvePerShape() {
        Shape s = new Shape("t", Scale.CPU, 3, 2, 2, 512, 512, 8, 8, 32, MaskSpec.gymDefaults());
        MaskInstance doc = MaskInstance.resolve(MaskSpec.of(MaskFamily.DOCUMENT), s, 9);
        assertEquals(3, doc.documentEnds().length);
        for (int[] ends : doc.documentEnds()) {
            assertEquals(8, ends.length);
            assertEquals(512, ends[7]);
            for (int e : ends) {
                assertEquals(0, e % 32, "document boundaries on tiles");
            }
        }
        assertTrue(doc.causal());
        assertEquals(List.of(3, 1, 16, 16), List.of(doc.blockMask().shape()[0], doc.blockMask().shape()[1],
                doc.blockMask().queryBlocks(), doc.blockMask().keyBlocks()));
        MaskInstance sparse = MaskInstance.resolve(MaskSpec.blockSparse(0.2), s, 9);
        assertEquals(Math.round(0.2 * 256) / 256.0, sparse.blockMask().density(), 1e-12);
        assertEquals(64, MaskInstance.resolve(MaskSpec.of(MaskFamily.SLIDING_WINDOW), s, 1).window().left());
        assertEquals(2, MaskInstance.resolve(MaskSpec.of(MaskFamily.BLOCK_TOPK), s, 1).blockTopK().k());
        // Same seed, same mask: attn4j and peers see identical masks.
        assertEquals(sparse.blockMask(), MaskInstance.resolve(MaskSpec.blockSparse(0.2), s, 9).blockMask());
        Shape rect = new Shape("t", Scale.CPU, 1, 1, 1, 64, 128, 8, 8, 32, List.of(MaskSpec.of(MaskFamily.DOCUMENT)));
        assertThrows(IllegalArgumentException.class, () -> MaskInstance.resolve(MaskSpec.of(MaskFamily.DOCUMENT),
                rect, 1));
    }

    @Test
    void maskNamesParse() {
        assertEquals(MaskSpec.blockSparse(0.1), MaskSpec.parse("block_sparse_10"));
        assertEquals(MaskSpec.blockSparse(0.1), MaskSpec.parse("block_sparse:10"));
        assertEquals(MaskSpec.blockSparse(0.1), MaskSpec.parse("block_sparse:0.1"));
        assertEquals(MaskSpec.blockSparse(0.05), MaskSpec.parse("BLOCK-SPARSE:5%"));
        assertEquals(new MaskSpec(MaskFamily.SLIDING_WINDOW, 256.0), MaskSpec.parse("sliding_window:256"));
        assertEquals(MaskSpec.of(MaskFamily.ENTMAX15), MaskSpec.parse("entmax-1.5"));
        assertEquals(MaskSpec.blockSparse(0.1), MaskSpec.parse(MaskSpec.blockSparse(0.1).toString()));
        assertEquals(12, MaskSpec.parseList(List.of("all")).size());
        assertEquals(List.of(MaskSpec.of(MaskFamily.CAUSAL), MaskSpec.of(MaskFamily.DENSE)),
                MaskSpec.parseList(List.of("causal,dense", "causal")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaskSpec.parse("diagonal"));
        assertTrue(e.getMessage().startsWith("masks: unknown mask 'diagonal'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MaskSpec.parse("causal:3"));
        assertThrows(IllegalArgumentException.class, () -> MaskSpec.parse("token_topk:abc"));
        assertThrows(IllegalArgumentException.class, () -> MaskSpec.parse("block_sparse:0"));
    }

    @Test
    void shapeFilesInJsonAndCsv(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("s.json");
        Files.writeString(json, "{\"shapes\": [{\"name\": \"llama\", \"batch\": 1, \"heads\": 32, \"kv_heads\": 8,"
                + " \"seq_q\": 4096, \"head_dim\": 128, \"masks\": [\"causal\", \"block_sparse:10\"]},"
                + " {\"batch\": 2, \"heads\": 4, \"seq\": 256, \"seq_k\": 512, \"head_dim\": 64, \"value_dim\": 32,"
                + " \"block\": 64}]}");
        List<Shape> shapes = ShapeFile.read(json, Scale.FULL, null);
        assertEquals(2, shapes.size());
        Shape a = shapes.get(0);
        assertEquals("llama", a.set());
        assertEquals(List.of(1, 32, 8, 4096, 4096, 128, 128, 128), List.of(a.batch(), a.headsQ(), a.headsKv(),
                a.seqQ(), a.seqK(), a.headDim(), a.valueDim(), a.blockSize()));
        assertEquals(List.of(MaskSpec.of(MaskFamily.CAUSAL), MaskSpec.blockSparse(0.1)), a.masks());
        Shape b = shapes.get(1);
        assertEquals(List.of(256, 512, 32, 64), List.of(b.seqQ(), b.seqK(), b.valueDim(), b.blockSize()));
        assertEquals(MaskSpec.gymDefaults(), b.masks());

        Path csv = dir.resolve("s.csv");
        Files.writeString(csv, "# comment\nname,batch,heads,seq,head_dim,masks\nx,2,4,128,32,dense;causal\n\n");
        Shape c = ShapeFile.read(csv, Scale.CPU, List.of(MaskSpec.of(MaskFamily.SPARSEMAX))).get(0);
        assertEquals(List.of(2, 4, 4, 128, 128, 32), List.of(c.batch(), c.headsQ(), c.headsKv(), c.seqQ(), c.seqK(),
                c.headDim()));
        assertEquals(List.of(MaskSpec.of(MaskFamily.SPARSEMAX)), c.masks(), "--masks overrides the file's masks");

        Files.writeString(csv, "name,batch,heads,seq\nx,2,4,128\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ShapeFile.read(csv, Scale.CPU, null));
        assertEquals("shapes file, line 2: missing 'head_dim'", e.getMessage());
        Files.writeString(csv, "batch,heads,seq,head_dim,kv_heads\n1,4,128,32,3\n");
        e = assertThrows(IllegalArgumentException.class, () -> ShapeFile.read(csv, Scale.CPU, null));
        assertTrue(e.getMessage().contains("kv_heads"), e.getMessage());
        Files.writeString(csv, "batch,heads,seq,head_dim,colour\n1,4,128,32,red\n");
        e = assertThrows(IllegalArgumentException.class, () -> ShapeFile.read(csv, Scale.CPU, null));
        assertTrue(e.getMessage().contains("unknown column 'colour'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ShapeFile.read(dir.resolve("nope.csv"), Scale.CPU, null));
    }
}
