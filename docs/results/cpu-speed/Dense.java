// Wall time of Attention.forward on the cpu provider, B=1 H=8 N D=64 fp32 (dense, causal, token top-N/10,
// sparsemax, or block10: a random 10% of 128 x 128 cells per head), every call and the best of REPS in one JVM;
// GFLOP/s counted as dense (4 H N^2 D). Run from the repository root after a build (or with the CLI's fat jar as the
// class path): java [--add-modules jdk.incubator.vector] -cp java/api/target/classes:java/cpu/target/classes:SLF4J_API_JAR
//   docs/results/cpu-speed/Dense.java N MODE REPS
import org.attn4j.*;
import org.attn4j.mask.TokenTopK;
import java.util.Random;
public class Dense {
    public static void main(String[] a) throws Exception {
        int h = 8, n = Integer.parseInt(a.length > 0 ? a[0] : "4096"), d = 64;
        String mode = a.length > 1 ? a[1] : "dense";
        int reps = a.length > 2 ? Integer.parseInt(a[2]) : 5;
        Random r = new Random(1);
        float[][] x = new float[3][h * n * d];
        for (float[] t : x) for (int i = 0; i < t.length; i++) t[i] = (float) r.nextGaussian();
        Tensor q = Tensor.of(DType.FP32, x[0], 1, h, n, d), k = Tensor.of(DType.FP32, x[1], 1, h, n, d), v = Tensor.of(DType.FP32, x[2], 1, h, n, d);
        AttentionRequest.Builder b = AttentionRequest.builder(q, k, v);
        if (mode.equals("topk")) b.topKTokens(n / 10);
        if (mode.equals("causal")) b.causal();
        if (mode.equals("block10")) {
            int cells = n / 128;
            boolean[] grid = new boolean[h * cells * cells];
            Random m = new Random(0);
            for (int head = 0; head < h; head++) {
                for (int kept = 0; kept < Math.round(0.1 * cells * cells); ) {
                    int at = head * cells * cells + m.nextInt(cells * cells);
                    if (!grid[at]) { grid[at] = true; kept++; }
                }
            }
            b.blockMask(org.attn4j.mask.BlockMask.of(grid, new int[] {1, h, cells, cells}, 128, 128));
        }
        if (mode.equals("sparsemax")) b.normalizer(Normalizer.SPARSEMAX);
        AttentionRequest req = b.build();
        double flops = 4.0 * h * n * (double) n * d;
        double best = 1e9;
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            try (AttentionResult res = Attention.forward(req, "cpu")) { }
            double ms = (System.nanoTime() - t0) / 1e6;
            best = Math.min(best, ms);
            System.out.printf("%s N=%d: %.1f ms (%.1f GFLOP/s dense-equivalent)%n", mode, n, ms, flops / ms / 1e6);
        }
        System.out.printf("best %.1f ms %.1f GFLOP/s%n", best, flops / best / 1e6);
    }
}
