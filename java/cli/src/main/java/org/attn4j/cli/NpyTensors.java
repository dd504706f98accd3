package org.attn4j.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.cli.npy.NpyArray;
import org.attn4j.cli.npy.NpyReader;
import org.attn4j.cli.npy.NpyType;
import org.attn4j.cli.npy.NpyWriter;
import org.attn4j.mask.BlockMask;

/**
 * The bridge between {@code .npy} files and attn4j: reads inputs as tensors and block masks, writes outputs as
 * float32, and words every failure with the option and file it concerns.
 */
final class NpyTensors {
    private NpyTensors() {
    }

    /** Reads the array behind option {@code flag}. */
    static NpyArray read(String flag, Path file) {
        String source = flag + " " + file;
        if (Files.isDirectory(file)) {
            throw new CliException(source + ": is a folder, expected a .npy file");
        }
        try {
            return NpyReader.read(file);
        } catch (NoSuchFileException e) {
            throw new CliException(source + ": no such file");
        } catch (AccessDeniedException e) {
            throw new CliException(source + ": permission denied");
        } catch (IOException e) {
            throw new CliException(source + ": cannot read: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            // NpyFormatException names the file; say which option it came from.
            String m = e.getMessage();
            throw new CliException(m.startsWith(file.toString()) ? flag + " " + m : source + ": " + m, e);
        }
    }

    /** Reads a rank-4 float array ({@code [B, H, N, D]}) of option {@code flag}. */
    static NpyArray readAttentionInput(String flag, Path file) {
        NpyArray a = read(flag, file);
        if (!a.type().isFloatingPoint()) {
            throw new CliException(flag + " " + file + ": dtype " + a.type()
                    + " is not supported; expected float32 or float16 (float64 is converted)");
        }
        if (a.rank() != 4) {
            throw new CliException(flag + " " + file + ": shape " + Arrays.toString(a.shape())
                    + " has rank " + a.rank() + "; expected rank 4 [B, H, N, D]");
        }
        return a;
    }

    /** A host tensor of type {@code dtype} holding the array's values. */
    static Tensor toTensor(NpyArray a, DType dtype) {
        if (a.type() == NpyType.FLOAT32 && dtype == DType.FP32 && a.order() == ByteOrder.nativeOrder()) {
            // The usual case: one bulk copy of the file's bytes (mapped) into the tensor, no float[] between.
            Tensor t = Tensor.allocate(dtype, a.shape());
            t.hostBuffer().put(a.data());
            return t;
        }
        return Tensor.of(dtype, a.toFloatArray(), a.shape());
    }

    /** The block mask of option {@code flag}: bool or uint8 (non-zero is true), shape [QB, KB] or [B, H, QB, KB]. */
    static BlockMask readBlockMask(String flag, Path file, int blockQ, int blockK) {
        NpyArray a = read(flag, file);
        if (a.type() != NpyType.BOOL && a.type() != NpyType.UINT8) {
            throw new CliException(flag + " " + file + ": dtype " + a.type()
                    + " is not supported for a block mask; expected bool or uint8");
        }
        if (a.rank() != 2 && a.rank() != 4) {
            throw new CliException(flag + " " + file + ": shape " + Arrays.toString(a.shape())
                    + " has rank " + a.rank() + "; expected [QB, KB] or [B, H, QB, KB]");
        }
        try {
            return BlockMask.of(a.toBooleanArray(), a.shape(), blockQ, blockK);
        } catch (IllegalArgumentException e) {
            throw new CliException(flag + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code t} as a little-endian float32 array to {@code file} (a temporary file of the caller's). */
    static void writeFloat32(Path file, Tensor t) throws IOException {
        try (WritableByteChannel channel = Files.newByteChannel(file, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            NpyArray array;
            if (t.dtype() == DType.FP32 && t.device().isCpu() && t.byteSize() <= Integer.MAX_VALUE) {
                // The tensor's own bytes (native order, which the header states), written without copies.
                ByteBuffer bytes = t.hostBuffer();
                bytes.limit((int) t.byteSize());
                array = NpyArray.view(NpyType.FLOAT32, ByteOrder.nativeOrder(), t.shape(), bytes);
            } else {
                array = NpyArray.ofFloat32(t.toFloatArray(), t.shape());
            }
            NpyWriter.write(channel, array, 0);
        }
    }
}
