package org.attn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.attn4j.cli.npy.NpyArray;
import org.attn4j.cli.npy.NpyWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input: a non-zero exit and one line on stderr that names the problem, and no stack trace unless asked. */
class ErrorExitTest {
    @TempDir
    Path dir;

    @BeforeEach
    void inputs() throws IOException {
        save("Q.npy", 1, 4, 12, 8);
        save("K.npy", 1, 2, 20, 8);
        save("V.npy", 1, 2, 20, 6);
        save("Q3.npy", 4, 12, 8);
        save("Kd.npy", 1, 2, 20, 5);
        save("Q3heads.npy", 1, 3, 12, 8);
        NpyWriter.write(dir.resolve("Bool.npy"), NpyArray.ofBooleans(new boolean[4 * 12 * 8], 1, 4, 12, 8));
        NpyWriter.write(dir.resolve("M.npy"), NpyArray.ofBooleans(new boolean[6], 2, 3));
        NpyWriter.write(dir.resolve("Mf.npy"), NpyArray.ofFloat32(new float[6], 2, 3));
        NpyWriter.write(dir.resolve("M3.npy"), NpyArray.ofBooleans(new boolean[6], 1, 2, 3));
        Files.writeString(dir.resolve("text.npy"), "not numpy");
        Files.write(dir.resolve("fortran.npy"), fortranOrderFile());
    }

    @Test
    void missingAndUnreadableFiles() {
        expect(1, "no such file", "--q", "absent.npy");
        expect(1, "not a .npy file", "--v", "text.npy");
        expect(1, "Fortran", "--q", "fortran.npy");
        expect(1, "is a folder", "--k", ".");
        expect(1, "does not exist", "--out", "no/such/folder/O.npy");
        expect(1, "is a folder", "--out", ".");
        // A file where a folder should be: say so, not "does not exist" (e.g. --out /etc/passwd/o.npy).
        expect(1, "--out " + f("text.npy/O.npy") + ": " + f("text.npy") + " is a file, not a folder", "--out",
                "text.npy/O.npy");
        expect(1, f("text.npy") + " is a file, not a folder", "--out", "text.npy/deeper/O.npy");
        // --lse checked before anything is computed or written: O.npy must not appear.
        expect(1, "--lse " + f("text.npy/LSE.npy") + ": " + f("text.npy") + " is a file, not a folder", "--lse",
                "text.npy/LSE.npy");
    }

    @Test
    void wrongShapesAndTypes() {
        expect(1, "--q " + f("Q3.npy") + ": shape [4, 12, 8] has rank 3", "--q", "Q3.npy");
        expect(1, "dtype bool is not supported", "--q", "Bool.npy");
        expect(1, "--k " + f("Kd.npy") + ": k.shape[3] (head dim): expected 8", "--k", "Kd.npy");
        expect(1, "k.shape[1] (kv heads): expected a divisor of 3", "--q", "Q3heads.npy");
        expect(1, "--block-mask " + f("M.npy") + ": blockMask.shape[2] (query blocks): expected ceil(12 / 4) = 3",
                "--block-mask", "M.npy", "--block-size", "4,7");
        expect(1, "expected bool or uint8", "--block-mask", "Mf.npy", "--block-size", "6,10");
        expect(1, "expected [QB, KB] or [B, H, QB, KB]", "--block-mask", "M3.npy", "--block-size", "6,10");
    }

    @Test
    void badOptionValuesAreUsageErrors() {
        expect(2, "Invalid value for option '--window'", "--window", "3");
        expect(2, "Invalid value for option '--dtype': expected fp32, fp16 or bf16, got 'fp64'", "--dtype", "fp64");
        expect(2, "Invalid value for option '--normalizer'", "--normalizer", "relu");
        expect(2, "Invalid value for option '--topk'", "--topk", "many");
        expect(2, "Unknown option: '--casual'", "--casual");
        Cli cli = Cli.run("run", "--q", f("Q.npy"));
        assertEquals(2, cli.code, cli.toString());
        assertTrue(cli.err.contains("Missing required options"), cli.err);
        assertOneLine(cli);
        cli = Cli.run("nonsense");
        assertEquals(2, cli.code, cli.toString());
        assertOneLine(cli);
    }

    @Test
    void badOptionCombinationsAndRanges() {
        expect(1, "--window: expected LEFT,RIGHT >= 0, got -1,2", "--window", "-1,2");
        expect(1, "--global: global tokens only apply to a sliding window", "--global", "2");
        expect(1, "--global: expected >= 0", "--window", "1,1", "--global", "-2");
        expect(1, "--topk-blocks: needs --block-size", "--topk-blocks", "2");
        expect(1, "--block-mask: needs --block-size", "--block-mask", "M.npy");
        expect(1, "--block-size: only used with --block-mask or --topk-blocks", "--block-size", "4,4");
        expect(1, "--block-size: expected BQ,BK >= 1", "--topk-blocks", "2", "--block-size", "0,4");
        expect(1, "--topk-blocks: expected >= 1, got 0", "--topk-blocks", "0", "--block-size", "4,4");
        expect(1, "--topk: expected >= 1, got 0", "--topk", "0");
        expect(1, "--scale: expected a finite number, got NaN", "--scale", "NaN");
        expect(1, "--lse: the log-sum-exp is defined for softmax only, not sparsemax", "--normalizer", "sparsemax",
                "--lse", "L.npy");
        expect(1, "--lse: same file as --out", "--lse", "O.npy");
    }

    @Test
    void providerProblems() {
        expect(1, "provider: unknown name 'tpu'; found ", "--provider", "tpu");
        expect(1, "provider '" + UnavailableTestProvider.NAME + "' is unavailable: " + UnavailableTestProvider.REASON,
                "--provider", UnavailableTestProvider.NAME);
        expect(1, "provider '" + Fp32OnlyTestProvider.NAME + "' cannot run this forward pass: dtype bf16 not"
                + " supported", "--provider", Fp32OnlyTestProvider.NAME, "--dtype", "bf16");
        expect(1, "normalizer entmax15 not supported", "--provider", Fp32OnlyTestProvider.NAME, "--normalizer",
                "entmax15");
    }

    @Test
    void verbosePrintsTheStackTrace() {
        Cli cli = runWith("--q", "Q3.npy", "--verbose");
        assertEquals(1, cli.code, cli.toString());
        assertTrue(cli.err.startsWith("attn4j run: --q "), cli.err);
        assertTrue(cli.err.contains("\tat org.attn4j.cli."), "stack trace expected: " + cli.err);
        // The option is inherited: it works before the subcommand too.
        cli = Cli.run("--verbose", "run", "--q", f("Q3.npy"), "--k", f("K.npy"), "--v", f("V.npy"), "--out",
                f("O.npy"));
        assertEquals(1, cli.code, cli.toString());
        assertTrue(cli.err.contains("\tat org.attn4j.cli."), "stack trace expected: " + cli.err);
    }

    @Test
    void theGoodCommandLineOfTheseTestsWorks() {
        Cli cli = runWith();
        assertEquals(0, cli.code, cli.toString());
        assertTrue(Files.exists(dir.resolve("O.npy")));
    }

    /** Runs a valid command line with {@code changes} replacing or adding options, and checks the failure. */
    private void expect(int code, String message, String... changes) {
        Cli cli = runWith(changes);
        assertEquals(code, cli.code, cli.toString());
        assertTrue(cli.err.startsWith("attn4j run: "), cli.toString());
        assertTrue(cli.err.contains(message), "expected '" + message + "' in: " + cli.err);
        assertOneLine(cli);
        assertFalse(Files.exists(dir.resolve("O.npy")), "no output is written on failure");
    }

    private static void assertOneLine(Cli cli) {
        assertEquals(1, cli.err.strip().lines().count(), "one line on stderr: " + cli.err);
        assertFalse(cli.err.contains("\tat "), "no stack trace: " + cli.err);
        assertTrue(cli.out.isEmpty(), "nothing on stdout: " + cli.out);
    }

    /** {@code run} with Q, K, V, O of the fixture, each replaced when {@code changes} names its option. */
    private Cli runWith(String... changes) {
        List<String> args = new ArrayList<>(List.of("run"));
        String[][] base = {{"--q", "Q.npy"}, {"--k", "K.npy"}, {"--v", "V.npy"}, {"--out", "O.npy"}};
        List<String> rest = new ArrayList<>(List.of(changes));
        for (String[] option : base) {
            int at = rest.indexOf(option[0]);
            String value = option[1];
            if (at >= 0) {
                value = rest.get(at + 1);
                rest.remove(at + 1);
                rest.remove(at);
            }
            args.add(option[0]);
            args.add(f(value));
        }
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            boolean isFile = a.endsWith(".npy") || a.equals(".");
            args.add(isFile ? f(a) : a);
        }
        return Cli.run(args.toArray(new String[0]));
    }

    private String f(String name) {
        return dir.resolve(name).toString();
    }

    private void save(String name, int... shape) throws IOException {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.sin(i);
        }
        NpyWriter.write(dir.resolve(name), NpyArray.ofFloat32(x, shape));
    }

    private static byte[] fortranOrderFile() {
        String header = "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 4, 12, 8), }";
        byte[] h = header.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        int headerLength = (10 + h.length + 1 + 63) / 64 * 64 - 10;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(10 + headerLength + 4 * 4 * 12 * 8)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) headerLength).put(h);
        while (b.position() < 10 + headerLength - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }
}
