package org.attn4j.cli.npy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes NumPy {@code .npy} files as NumPy does: version 1.0 when the header fits in 65 535 bytes, else 2.0
 * (3.0 on request), the header padded with spaces to a multiple of 64 bytes and ended by a newline.
 */
public final class NpyWriter {
    private static final int ALIGNMENT = 64;

    private NpyWriter() {
    }

    /**
     * Writes {@code array} to {@code file}, replacing it. The file appears complete or not at all: the bytes go to a
     * temporary file in the same folder first.
     */
    public static void write(Path file, NpyArray array) throws IOException {
        write(file, array, 0);
    }

    /** Like {@link #write(Path, NpyArray)} in format version {@code major} (1, 2 or 3; 0 picks the smallest). */
    public static void write(Path file, NpyArray array, int major) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path dir = absolute.getParent();
        Path tmp = Files.createTempFile(dir, "." + absolute.getFileName(), ".tmp");
        try {
            try (WritableByteChannel out = Files.newByteChannel(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                write(out, array, major);
            }
            try {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes {@code array} to a stream in format version {@code major} (1, 2 or 3; 0 picks the smallest). */
    public static void write(WritableByteChannel out, NpyArray array, int major) throws IOException {
        if (major < 0 || major > 3) {
            throw new IllegalArgumentException("version: expected 1, 2, 3 or 0 (smallest that fits), got " + major);
        }
        String dict = new NpyHeader(array.type(), array.order(), array.shape()).toDictionary();
        byte[] dictBytes = dict.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int version = major;
        if (version == 0) {
            version = paddedLength(dictBytes.length, 2) <= 0xffff ? 1 : 2;
        }
        int lengthBytes = version == 1 ? 2 : 4;
        int headerLength = paddedLength(dictBytes.length, lengthBytes);
        if (version == 1 && headerLength > 0xffff) {
            throw new IllegalArgumentException("version: 1.0 headers hold at most 65535 bytes, this one needs "
                    + headerLength + "; use version 2");
        }
        ByteBuffer head = ByteBuffer.allocate(NpyReader.MAGIC.length + 2 + lengthBytes + headerLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        head.put(NpyReader.MAGIC).put((byte) version).put((byte) 0);
        if (version == 1) {
            head.putShort((short) headerLength);
        } else {
            head.putInt(headerLength);
        }
        head.put(dictBytes);
        for (int i = dictBytes.length; i < headerLength - 1; i++) {
            head.put((byte) ' ');
        }
        head.put((byte) '\n');
        head.flip();
        writeFully(out, head);
        writeFully(out, array.data());
    }

    /** Header length including padding and the final newline, so that the data starts on a 64-byte boundary. */
    private static int paddedLength(int dictLength, int lengthBytes) {
        int preamble = NpyReader.MAGIC.length + 2 + lengthBytes;
        int total = preamble + dictLength + 1;
        int padded = (total + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        return padded - preamble;
    }

    private static void writeFully(WritableByteChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            out.write(b);
        }
    }
}
