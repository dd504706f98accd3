package org.attn4j.cli.npy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Hand-made .npy bytes, for headers and damage the writer never produces. */
final class NpyTestFiles {
    private NpyTestFiles() {
    }

    /** A file of format {@code major}.0 with this header text (padded as NumPy does) followed by {@code data}. */
    static byte[] npy(int major, String header, byte[] data) {
        return npy(major, 0, header, data);
    }

    static byte[] npy(int major, int minor, String header, byte[] data) {
        int lengthBytes = major == 1 ? 2 : 4;
        byte[] h = header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int preamble = 8 + lengthBytes;
        int total = (preamble + h.length + 1 + 63) / 64 * 64;
        int headerLength = total - preamble;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, (byte) minor});
        if (lengthBytes == 2) {
            b.putShort((short) headerLength);
        } else {
            b.putInt(headerLength);
        }
        b.put(h);
        while (b.position() < total - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(b.array());
        out.writeBytes(data);
        return out.toByteArray();
    }
}
