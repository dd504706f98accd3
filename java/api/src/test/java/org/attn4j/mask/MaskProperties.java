package org.attn4j.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The mask logic shared by providers, checked against the SPEC's definitions written out pair by pair. */
class MaskProperties {

    /** A random mask configuration; the block mask, when present, has random per-(b, h) cells. */
    static final class Config {
        final int batch = 2;
        final int heads = 2;
        final int nq;
        final int nk;
        final boolean causal;
        final SlidingWindow window;
        final BlockMask blockMask;

        Config(int nq, int nk, boolean causal, SlidingWindow window, BlockMask blockMask) {
            this.nq = nq;
            this.nk = nk;
            this.causal = causal;
            this.window = window;
            this.blockMask = blockMask;
        }

        StaticMask mask() {
            return new StaticMask(nq, nk, causal, window, blockMask);
        }

        /** SPEC "Masks", literally. */
        boolean literal(int b, int h, int i, int j) {
            int ip = i + (nk - nq);
            boolean c = !causal || j <= ip;
            boolean l = window == null || j < window.globalTokens() || (0 <= ip && ip < window.globalTokens())
                    || (ip - window.left() <= j && j <= ip + window.right());
            boolean bk = blockMask == null || blockMask.get(b, h, i / blockMask.blockQ(), j / blockMask.blockK());
            return c && l && bk;
        }

        @Override
        public String toString() {
            return "Nq=" + nq + " Nk=" + nk + " causal=" + causal + " " + window + " " + blockMask;
        }
    }

    @Provide
    Arbitrary<Config> configs() {
        Arbitrary<Integer> len = Arbitraries.integers().between(1, 40);
        Arbitrary<SlidingWindow> window = Combinators.combine(Arbitraries.integers().between(0, 12),
                Arbitraries.integers().between(0, 12), Arbitraries.integers().between(0, 5))
                .as(SlidingWindow::of).injectNull(0.4);
        Arbitrary<Long> seed = Arbitraries.longs();
        Arbitrary<int[]> blocks = Combinators.combine(Arbitraries.integers().between(1, 9),
                Arbitraries.integers().between(1, 9), Arbitraries.integers().between(0, 2))
                .as((bq, bk, kind) -> new int[] {bq, bk, kind});
        return Combinators.combine(len, len, Arbitraries.of(true, false), window, blocks, seed)
                .as((nq, nk, causal, w, blk, s) -> {
                    BlockMask bm = null;
                    if (blk[2] > 0) {
                        Random rnd = new Random(s);
                        int qb = (nq + blk[0] - 1) / blk[0];
                        int kb = (nk + blk[1] - 1) / blk[1];
                        double density = rnd.nextDouble();
                        boolean perHead = blk[2] == 2;
                        boolean[] cells = new boolean[(perHead ? 4 : 1) * qb * kb];
                        for (int c = 0; c < cells.length; c++) {
                            cells[c] = rnd.nextDouble() < density;
                        }
                        bm = BlockMask.of(cells, perHead ? new int[] {2, 2, qb, kb} : new int[] {qb, kb}, blk[0], blk[1]);
                    }
                    return new Config(nq, nk, causal, w, bm);
                });
    }

    @Property(tries = 300)
    void allowedMatchesTheSpec(@ForAll("configs") Config c) {
        StaticMask m = c.mask();
        for (int b = 0; b < c.batch; b++) {
            for (int h = 0; h < c.heads; h++) {
                for (int i = 0; i < c.nq; i++) {
                    for (int j = 0; j < c.nk; j++) {
                        assertEquals(c.literal(b, h, i, j), m.allowed(b, h, i, j), c + " at " + b + "," + h + "," + i + "," + j);
                    }
                }
            }
        }
    }

    @Property(tries = 300)
    void rowIntervalsAreTheAllowedKeysWithoutBlockMask(@ForAll("configs") Config c) {
        Config noBlocks = new Config(c.nq, c.nk, c.causal, c.window, null);
        StaticMask m = noBlocks.mask();
        int[] iv = new int[4];
        for (int i = 0; i < c.nq; i++) {
            boolean[] fromIntervals = new boolean[c.nk];
            int n = m.rowIntervals(i, iv);
            for (int t = 0; t < n; t++) {
                if (t > 0) {
                    assertEquals(true, iv[2 * t] > iv[2 * t - 1], "intervals must be disjoint and sorted");
                }
                for (int j = iv[2 * t]; j < iv[2 * t + 1]; j++) {
                    fromIntervals[j] = true;
                }
            }
            boolean[] literal = new boolean[c.nk];
            int count = 0;
            for (int j = 0; j < c.nk; j++) {
                literal[j] = noBlocks.literal(0, 0, i, j);
                count += literal[j] ? 1 : 0;
            }
            assertArrayEquals(literal, fromIntervals, noBlocks + " row " + i);
            assertEquals(count, m.rowCount(i));
        }
    }

    @Property(tries = 500)
    void classifyMatchesBruteForce(@ForAll("configs") Config c, @ForAll("tiles") int[] tile) {
        StaticMask m = c.mask();
        int i0 = Math.min(tile[0], c.nq);
        int i1 = Math.min(c.nq, i0 + tile[1]);
        int j0 = Math.min(tile[2], c.nk);
        int j1 = Math.min(c.nk, j0 + tile[3]);
        for (int b = 0; b < c.batch; b++) {
            for (int h = 0; h < c.heads; h++) {
                int allowed = 0;
                for (int i = i0; i < i1; i++) {
                    for (int j = j0; j < j1; j++) {
                        allowed += c.literal(b, h, i, j) ? 1 : 0;
                    }
                }
                int area = (i1 - i0) * (j1 - j0);
                TileKind expected = allowed == 0 ? TileKind.EMPTY : allowed == area ? TileKind.FULL : TileKind.PARTIAL;
                assertEquals(expected, m.classify(b, h, i0, i1, j0, j1),
                        c + " tile [" + i0 + "," + i1 + ")x[" + j0 + "," + j1 + ")");
            }
        }
    }

    @Provide
    Arbitrary<int[]> tiles() {
        return Arbitraries.integers().between(0, 40).array(int[].class).ofSize(4)
                .map(a -> new int[] {a[0], 1 + a[1] % 16, a[2], 1 + a[3] % 16});
    }

    @Property(tries = 300)
    void countAllowedMatchesBruteForce(@ForAll("configs") Config c) {
        StaticMask m = c.mask();
        for (int b = 0; b < c.batch; b++) {
            for (int h = 0; h < c.heads; h++) {
                long expected = 0;
                for (int i = 0; i < c.nq; i++) {
                    for (int j = 0; j < c.nk; j++) {
                        expected += c.literal(b, h, i, j) ? 1 : 0;
                    }
                }
                assertEquals(expected, m.countAllowed(b, h), c.toString());
            }
        }
    }

    @Property(tries = 300)
    void blockTopKKeepsTheBestCandidateTiles(@ForAll("configs") Config c, @ForAll("topk") int[] spec,
                                             @ForAll long seed) {
        BlockTopK topk = BlockTopK.of(spec[0], spec[1], spec[2]);
        int d = 3;
        Random rnd = new Random(seed);
        float[] q = new float[c.nq * d];
        float[] k = new float[c.nk * d];
        for (int x = 0; x < q.length; x++) {
            // Few distinct values so that ties happen and the tie rule is exercised.
            q[x] = rnd.nextInt(3) - 1;
        }
        for (int x = 0; x < k.length; x++) {
            k[x] = rnd.nextInt(3) - 1;
        }
        double scale = 0.7;
        StaticMask m = c.mask();
        int b = 1;
        int h = 0;
        int[][] kept = BlockTopKSelection.select(m, topk, b, h, scale, q, 0, k, 0, d);
        int qTiles = (c.nq + topk.blockQ() - 1) / topk.blockQ();
        int kTiles = (c.nk + topk.blockK() - 1) / topk.blockK();
        assertEquals(qTiles, kept.length);
        for (int qb = 0; qb < qTiles; qb++) {
            int i0 = qb * topk.blockQ();
            int i1 = Math.min(c.nq, i0 + topk.blockQ());
            double[] qm = mean(q, d, i0, i1);
            List<double[]> candidates = new ArrayList<>(); // {score, kb}
            for (int kb = 0; kb < kTiles; kb++) {
                int j0 = kb * topk.blockK();
                int j1 = Math.min(c.nk, j0 + topk.blockK());
                boolean any = false;
                for (int i = i0; i < i1 && !any; i++) {
                    for (int j = j0; j < j1 && !any; j++) {
                        any = c.literal(b, h, i, j);
                    }
                }
                if (any) {
                    double[] km = mean(k, d, j0, j1);
                    double dot = 0;
                    for (int x = 0; x < d; x++) {
                        dot += qm[x] * km[x];
                    }
                    candidates.add(new double[] {scale * dot, kb});
                }
            }
            candidates.sort((x, y) -> x[0] != y[0] ? Double.compare(y[0], x[0]) : Double.compare(x[1], y[1]));
            int keep = Math.min(topk.k(), candidates.size());
            int[] expected = candidates.subList(0, keep).stream().mapToInt(x -> (int) x[1]).sorted().toArray();
            assertArrayEquals(expected, kept[qb], c + " " + topk + " query tile " + qb);
        }
    }

    @Provide
    Arbitrary<int[]> topk() {
        return Combinators.combine(Arbitraries.integers().between(1, 4), Arbitraries.integers().between(1, 8),
                Arbitraries.integers().between(1, 8)).as((k, bq, bk) -> new int[] {k, bq, bk});
    }

    private static double[] mean(float[] x, int d, int r0, int r1) {
        double[] m = new double[d];
        for (int r = r0; r < r1; r++) {
            for (int c = 0; c < d; c++) {
                m[c] += x[r * d + c];
            }
        }
        for (int c = 0; c < d; c++) {
            m[c] /= (r1 - r0);
        }
        return m;
    }
}
