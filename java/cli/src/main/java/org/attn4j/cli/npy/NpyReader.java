package org.attn4j.cli.npy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads NumPy {@code .npy} files, format versions 1.0, 2.0 and 3.0, C order, little- or big-endian.
 *
 * <p>Layout: the magic {@code \x93NUMPY}, major and minor version bytes, the header length (2 bytes little-endian in
 * version 1, 4 bytes from version 2), the header dictionary (latin-1, UTF-8 from version 3), then the raw data.
 */
public final class NpyReader {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Headers beyond this are not arrays but damage (NumPy itself refuses headers over 10 000 bytes by default). */
    static final int MAX_HEADER_BYTES = 1 << 20;
    /** Data of files this large is memory-mapped rather than read (mapping a few bytes costs more than reading). */
    static final long MAP_AT_BYTES = 1 << 16;

    private NpyReader() {
    }

    /**
     * Reads an array from a file.
     *
     * @throws java.nio.file.NoSuchFileException and other IOExceptions when the file cannot be read
     * @throws NpyFormatException naming the file when its contents are not an array attn4j handles
     */
    public static NpyArray read(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(in, file.toString());
        }
    }

    /** Reads an array from a stream; {@code source} names it in messages. */
    public static NpyArray read(ReadableByteChannel in, String source) throws IOException {
        ByteBuffer preamble = readFully(in, 8, source, "the .npy preamble");
        for (int i = 0; i < MAGIC.length; i++) {
            if (preamble.get(i) != MAGIC[i]) {
                throw new NpyFormatException(source + ": not a .npy file (it does not start with \\x93NUMPY)");
            }
        }
        int major = preamble.get(6) & 0xff;
        int minor = preamble.get(7) & 0xff;
        if (major < 1 || major > 3 || minor != 0) {
            throw new NpyFormatException(source + ": .npy format version " + major + "." + minor
                    + " is not supported; expected 1.0, 2.0 or 3.0");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        ByteBuffer lengthField = readFully(in, lengthBytes, source, "the header length").order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = major == 1 ? lengthField.getShort(0) & 0xffff : lengthField.getInt(0) & 0xffffffffL;
        if (headerLength > MAX_HEADER_BYTES) {
            throw new NpyFormatException(source + ": .npy header length " + headerLength + " is implausible"
                    + " (at most " + MAX_HEADER_BYTES + " bytes)");
        }
        ByteBuffer headerBytes = readFully(in, (int) headerLength, source, "the header");
        String text = new String(headerBytes.array(), 0, (int) headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeader header = NpyHeader.parse(text, source);

        long size;
        try {
            size = NpyArray.elementCount(header.shape());
        } catch (ArithmeticException e) {
            throw new NpyFormatException(source + ": shape " + java.util.Arrays.toString(header.shape())
                    + " has too many elements");
        }
        if (size > Integer.MAX_VALUE || size * header.type().byteSize() > Integer.MAX_VALUE - 8) {
            throw new NpyFormatException(source + ": " + header + " holds " + size * header.type().byteSize()
                    + " bytes; at most 2 GiB per file is supported");
        }
        long bytes = size * header.type().byteSize();
        if (in instanceof SeekableByteChannel) {
            // Check before allocating, so that a damaged header cannot ask for gigabytes.
            SeekableByteChannel file = (SeekableByteChannel) in;
            long available = file.size() - file.position();
            if (available < bytes) {
                throw new NpyFormatException(source + ": file is truncated: the data of " + header + " needs "
                        + bytes + " bytes, found " + available);
            }
        }
        ByteBuffer data;
        if (in instanceof FileChannel && bytes >= MAP_AT_BYTES) {
            // Mapped, not copied: the caller's one copy (into a tensor) reads the page cache directly.
            FileChannel file = (FileChannel) in;
            data = file.map(FileChannel.MapMode.READ_ONLY, file.position(), bytes);
        } else {
            data = readFully(in, (int) bytes, source, "the data of " + header);
        }
        return new NpyArray(header.type(), header.order(), header.shape(), data);
    }

    private static ByteBuffer readFully(ReadableByteChannel in, int n, String source, String what) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (in.read(b) < 0) {
                if (what.startsWith("the data")) {
                    throw new NpyFormatException(source + ": file is truncated: " + what + " needs " + n
                            + " bytes, found " + b.position());
                }
                if (b.position() == 0 && what.equals("the .npy preamble")) {
                    throw new NpyFormatException(source + ": empty file, not a .npy array");
                }
                throw new NpyFormatException(source + ": file is truncated in " + what);
            }
        }
        b.flip();
        return b;
    }
}
