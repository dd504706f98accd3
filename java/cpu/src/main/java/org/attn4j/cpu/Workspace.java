package org.attn4j.cpu;

/**
 * Per-thread scratch arrays, reused across tiles and calls so that the hot loops allocate nothing. Arrays only grow;
 * every pass asks for the sizes it needs. Row buffers of the sparse normalizers are bounded by
 * {@link #ROW_BUFFER_ENTRIES} per chunk of rows.
 */
final class Workspace {
    /** Upper bound on (rows x keys) buffered at once by the row-buffered passes (about 2 MB per thread). */
    static final int ROW_BUFFER_ENTRIES = 1 << 18;

    private static final ThreadLocal<Workspace> LOCAL = ThreadLocal.withInitial(Workspace::new);

    // Query-tile rows.
    float[] flatIn = new float[0];
    float[] flatOut = new float[0];
    float[][] queries;
    /** Query rows without the scale (token top-k's exact scores). */
    float[][] rawQueries;
    float[][] out;
    float[][] gradOut;
    float[][] gradQ;
    float[] rowMax = new float[0];
    double[] rowSum = new double[0];
    float[] rowLse = new float[0];
    boolean[] rowSeen = new boolean[0];
    boolean[] rowNaN = new boolean[0];

    // One row of one key tile.
    float[] scores = new float[0];
    float[] expScratch = new float[0];
    boolean[] allowed = new boolean[0];
    /** Backward: which keys of the current row's span are kept (static masks, then token top-k's cut). */
    boolean[] kept = new boolean[0];
    final int[] intervals = new int[4];
    /** {@code [from, to)} of the allowed keys of the current row within its key tile. */
    final int[] span = new int[2];

    /** Forward: the scores, then weights, of a whole tile without masking. */
    float[][] tileScores;
    /** Row references into {@link #queries} (a chunk of buffered rows as rows 0..). */
    float[][] queryView;

    // Whole tiles (backward).
    float[][] tileP;
    float[][] tileDs;
    float[][] tilePT;
    float[][] tileDsT;
    float[][] gradK;
    float[][] gradV;

    // Buffered rows (sparse normalizers, token top-k, probabilities).
    float[][] rowScores;
    int[][] rowKeys;
    int[] rowCounts = new int[0];
    /** Whether a row's keys are {@code 0 .. count-1}, not written ({@link BufferedRows#gather}, implicit keys). */
    boolean[] rowKeysImplicit = new boolean[0];
    float[] rowScratch = new float[0];
    double[] rowScratchD = new double[0];
    private int[] keyNumbers = new int[0];
    float[] denseRow = new float[0];
    final TokenSelection selection = new TokenSelection();
    final ExactTokenScores exactScores = new ExactTokenScores();

    static Workspace get() {
        return LOCAL.get();
    }

    static float[] grow(float[] a, int n) {
        return a != null && a.length >= n ? a : new float[n];
    }

    static double[] grow(double[] a, int n) {
        return a != null && a.length >= n ? a : new double[n];
    }

    static int[] grow(int[] a, int n) {
        return a != null && a.length >= n ? a : new int[n];
    }

    static boolean[] grow(boolean[] a, int n) {
        return a != null && a.length >= n ? a : new boolean[n];
    }

    /** An array of at least {@code rows} row references (the rows themselves are not allocated). */
    static float[][] grow(float[][] a, int rows) {
        return a != null && a.length >= rows ? a : new float[rows][];
    }

    static float[][] grow(float[][] a, int rows, int cols) {
        if (a != null && a.length >= rows && (a.length == 0 || a[0].length >= cols)) {
            return a;
        }
        int r = Math.max(rows, a == null ? 0 : a.length);
        int c = Math.max(cols, a == null || a.length == 0 ? 0 : a[0].length);
        return new float[r][c];
    }

    static int[][] grow(int[][] a, int rows, int cols) {
        if (a != null && a.length >= rows && (a.length == 0 || a[0].length >= cols)) {
            return a;
        }
        int r = Math.max(rows, a == null ? 0 : a.length);
        int c = Math.max(cols, a == null || a.length == 0 ? 0 : a[0].length);
        return new int[r][c];
    }

    /** Sizes the arrays every pass uses for tiles of {@code bq x bk} with head dims {@code d}, {@code dv}. */
    void prepareTiles(int bq, int bk, int d, int dv) {
        int wide = Math.max(d, dv);
        flatIn = grow(flatIn, bq * wide);
        flatOut = grow(flatOut, bq * wide);
        queries = grow(queries, bq, d);
        rawQueries = grow(rawQueries, bq, d);
        out = grow(out, bq, dv);
        rowMax = grow(rowMax, bq);
        rowSum = grow(rowSum, bq);
        rowLse = grow(rowLse, bq);
        rowSeen = grow(rowSeen, bq);
        rowNaN = grow(rowNaN, bq);
        scores = grow(scores, bk);
        expScratch = grow(expScratch, Math.max(bk, 32));
        allowed = grow(allowed, bk);
        kept = grow(kept, bk);
        tileScores = grow(tileScores, bq, bk);
    }

    /** Sizes the whole-tile arrays of the backward pass. */
    void prepareBackward(int bq, int bk, int d, int dv) {
        prepareTiles(bq, bk, d, dv);
        gradOut = grow(gradOut, bq, dv);
        gradQ = grow(gradQ, bq, d);
        tileP = grow(tileP, bq, bk);
        tileDs = grow(tileDs, bq, bk);
        tilePT = grow(tilePT, bk, bq);
        tileDsT = grow(tileDsT, bk, bq);
        gradK = grow(gradK, bk, d);
        gradV = grow(gradV, bk, dv);
    }

    /** Sizes the row buffers for {@code rows} rows of up to {@code keys} kept keys. */
    void prepareRows(int rows, int keys) {
        rowScores = grow(rowScores, rows, keys);
        rowKeys = grow(rowKeys, rows, keys);
        rowCounts = grow(rowCounts, rows);
        if (rowKeysImplicit.length < rows) {
            rowKeysImplicit = new boolean[rows];
        }
        rowScratch = grow(rowScratch, keys);
        rowScratchD = grow(rowScratchD, keys);
    }

    /** {@code 0, 1, 2, ...} up to at least {@code n}: a tile's key numbers copied into a row buffer at once. */
    int[] keyNumbers(int n) {
        if (keyNumbers.length < n) {
            keyNumbers = new int[n];
            for (int j = 0; j < n; j++) {
                keyNumbers[j] = j;
            }
        }
        return keyNumbers;
    }
}
