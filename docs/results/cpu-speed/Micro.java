// Single-thread rate of the selected kernels on one 64 x 128 tile, D = 64 (S = QK^T, O += PV, exp), same class path
// as Dense.java.
import org.attn4j.cpu.simd.*;
import org.attn4j.cpu.*;
public class Micro {
    public static void main(String[] a) {
        TileKernels k = SelectedKernels.get();
        System.out.println(k.name());
        int rows = 64, n = 128, d = 64;
        java.util.Random r = new java.util.Random(1);
        float[][] q = new float[rows][d], kt = new float[d][n], s = new float[rows][n], o = new float[rows][d], v = new float[4096][d];
        for (float[] x : q) for (int i = 0; i < d; i++) x[i] = (float) r.nextGaussian();
        for (float[] x : kt) for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        for (float[] x : v) for (int i = 0; i < d; i++) x[i] = (float) r.nextGaussian();
        float[] scratch = new float[n];
        for (int round = 0; round < 5; round++) {
            int iters = 20000;
            long t0 = System.nanoTime();
            for (int i = 0; i < iters; i++) k.scoreRows(q, rows, kt, d, 0, n, s);
            long t1 = System.nanoTime();
            for (int i = 0; i < iters; i++) k.addWeightedRows(o, s, rows, v, (i & 31) * 128, 0, n, d);
            long t2 = System.nanoTime();
            for (int i = 0; i < iters; i++) for (int x = 0; x < rows; x++) k.expShifted(s[x], 0f, 0, n, scratch);
            long t3 = System.nanoTime();
            double f = 2.0 * rows * n * d * iters;
            System.out.printf("scores %.1f GFLOP/s, pv %.1f GFLOP/s, exp %.2f ns/elem%n", f / (t1 - t0), f / (t2 - t1), (t3 - t2) / (double) iters / rows / n);
        }
    }
}
