package org.attn4j.cuda;

import org.attn4j.AttentionRequest;
import org.attn4j.BackwardRequest;
import org.attn4j.Device;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockTopK;

/**
 * Every check the cuda provider makes in Java before anything reaches native code, each failure an
 * IllegalArgumentException naming the field and what was expected. The native side checks again (a second line of
 * defence), but a request that passes here is one the kernels accept.
 */
final class CudaArguments {
    /** {@code -Dattn4j.cuda.device=N}: the device host-tensor requests run on (default 0). */
    static final String DEVICE_PROPERTY = "attn4j.cuda.device";
    static final int TILE = 64;
    private static final long MAX_GRID = Integer.MAX_VALUE;

    private CudaArguments() {
    }

    /** Where a call's tensors live: all on the host, or all on one device of this provider. */
    static final class Placement {
        final boolean host;
        final int device;

        Placement(boolean host, int device) {
            this.host = host;
            this.device = device;
        }
    }

    /** The device host-tensor requests run on. */
    static int defaultDevice() {
        return Integer.getInteger(DEVICE_PROPERTY, 0);
    }

    static Placement checkForward(AttentionRequest r) {
        r.checkTensorsOpen();
        CudaCapabilities.CAPABILITIES.require(r, CudaProvider.NAME);
        Placement p = placement(r.device(), r.q(), "q", r.k(), "k", r.v(), "v", r.output().orElse(null), "output",
                r.lseOutput().orElse(null), "lseOutput");
        checkGrid("batch * query heads * ceil(Nq / 64)", (long) r.batch() * r.queryHeads()
                * ceilDiv(r.queryLength(), TILE));
        BlockTopK topk = r.blockTopK().orElse(null);
        if (topk != null) {
            long cells = (long) r.batch() * r.queryHeads() * ceilDiv(r.queryLength(), topk.blockQ())
                    * ceilDiv(r.keyLength(), topk.blockK());
            if (cells > MAX_GRID) {
                throw new IllegalArgumentException("topKBlocks: batch * heads * query tiles * key tiles = " + cells
                        + ", expected at most 2^31 - 1 (use larger blockQ/blockK)");
            }
        }
        return p;
    }

    static Placement checkBackward(BackwardRequest b) {
        b.checkTensorsOpen();
        AttentionRequest r = b.forward();
        r.checkTensorsOpen();
        CudaCapabilities.CAPABILITIES.requireBackward(r, CudaProvider.NAME);
        Placement p = placement(r.device(), r.q(), "q", r.k(), "k", r.v(), "v", b.output(), "output",
                b.gradOutput(), "gradOutput", b.lse().orElse(null), "lse");
        checkGrid("batch * query heads * ceil(Nq / 64)", (long) r.batch() * r.queryHeads()
                * ceilDiv(r.queryLength(), TILE));
        checkGrid("batch * kv heads * ceil(Nk / 64)", (long) r.batch() * r.kvHeads() * ceilDiv(r.keyLength(), TILE));
        return p;
    }

    /** Pairs of (tensor, field name), null tensors skipped. */
    private static Placement placement(Device device, Object... tensorsAndNames) {
        if (device.isCpu()) {
            int d = defaultDevice();
            CudaRuntime.device(d);
            return new Placement(true, d);
        }
        int index = device.index();
        for (int i = 0; i < tensorsAndNames.length; i += 2) {
            Tensor t = (Tensor) tensorsAndNames[i];
            String field = (String) tensorsAndNames[i + 1];
            if (t == null) {
                continue;
            }
            if (!t.device().equals(device)) {
                throw new IllegalArgumentException(field + ".device: expected " + device + ", got " + t.device());
            }
            DeviceStorage s = CudaTensors.deviceStorage(t, field);
            if (s.deviceIndex() != index) {
                throw new IllegalArgumentException(field + ": memory is on cuda:" + s.deviceIndex() + ", expected "
                        + device);
            }
        }
        CudaRuntime.device(index);
        return new Placement(false, index);
    }

    private static void checkGrid(String what, long value) {
        if (value > MAX_GRID) {
            throw new IllegalArgumentException(what + ": expected at most 2^31 - 1, got " + value);
        }
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
