package org.attn4j.cuda;

import java.util.ArrayList;
import java.util.List;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.cuda.bridge.CudaBridge;

/**
 * The cuda provider's engine. {@link #forward}/{@link #backward} take host or device tensors and return when the
 * results are ready (host tensors are copied up, computed on, and copied back, so the same Java call that runs on
 * the CPU runs on the GPU). {@link #forwardAsync}/{@link #backwardAsync} take device tensors only and return as soon
 * as the kernels are queued on the stream: read the outputs after {@link CudaStream#synchronize()}.
 */
public final class CudaAttention {
    private CudaAttention() {
    }

    /** Synchronous forward pass on host or device tensors. */
    public static AttentionResult forward(AttentionRequest r) {
        try (CallLeases leases = CallLeases.forward(r)) {
            CudaArguments.Placement p = CudaArguments.checkForward(r);
            return runForward(r, p, CudaStream.perThread(p.device), false, null);
        }
    }

    /**
     * Queues the forward pass on {@code stream}; device tensors only. The inputs may be closed as soon as this
     * returns: their memory is released after the queued kernels.
     */
    public static AttentionResult forwardAsync(AttentionRequest r, CudaStream stream) {
        try (CallLeases leases = CallLeases.forward(r)) {
            CudaArguments.Placement p = CudaArguments.checkForward(r);
            requireDevice(p, stream, "forwardAsync");
            return runForward(r, p, stream, true, null);
        }
    }

    /** Synchronous backward pass (softmax, static masks, block mask) on host or device tensors. */
    public static AttentionGradients backward(BackwardRequest b) {
        try (CallLeases leases = CallLeases.backward(b)) {
            CudaArguments.Placement p = CudaArguments.checkBackward(b);
            return runBackward(b, p, CudaStream.perThread(p.device), false);
        }
    }

    /** Queues the backward pass on {@code stream}; device tensors only. */
    public static AttentionGradients backwardAsync(BackwardRequest b, CudaStream stream) {
        try (CallLeases leases = CallLeases.backward(b)) {
            CudaArguments.Placement p = CudaArguments.checkBackward(b);
            requireDevice(p, stream, "backwardAsync");
            return runBackward(b, p, stream, true);
        }
    }

    /** Events recorded around the kernels of one call (for {@link CallOverhead}). */
    static final class Events {
        final CudaEvent start;
        final CudaEvent stop;

        Events(CudaEvent start, CudaEvent stop) {
            this.start = start;
            this.stop = stop;
        }
    }

    /** Forward pass with events around the kernels, device tensors only (call-overhead measurements). */
    static AttentionResult forwardTimed(AttentionRequest r, CudaStream stream, Events events) {
        try (CallLeases leases = CallLeases.forward(r)) {
            CudaArguments.Placement p = CudaArguments.checkForward(r);
            requireDevice(p, stream, "forwardTimed");
            return runForward(r, p, stream, true, events);
        }
    }

    private static void requireDevice(CudaArguments.Placement p, CudaStream stream, String what) {
        if (p.host) {
            throw new IllegalArgumentException(what + ": expects device tensors (CudaTensors.copyOf); use "
                    + "forward/backward for host tensors");
        }
        if (stream.device() != p.device) {
            throw new IllegalArgumentException("stream: on cuda:" + stream.device() + ", tensors on cuda:" + p.device);
        }
    }

    private static AttentionResult runForward(AttentionRequest r, CudaArguments.Placement p, CudaStream stream,
                                              boolean async, Events events) {
        int dev = p.device;
        List<Tensor> temps = new ArrayList<>();
        List<Tensor> created = new ArrayList<>();
        boolean done = false;
        try {
            Tensor q = p.host ? temp(CudaTensors.copyOf(r.q(), dev), temps) : r.q();
            Tensor k = p.host ? temp(CudaTensors.copyOf(r.k(), dev), temps) : r.k();
            Tensor v = p.host ? temp(CudaTensors.copyOf(r.v(), dev), temps) : r.v();
            int[] oShape = {r.batch(), r.queryHeads(), r.queryLength(), r.valueDim()};
            int[] lseShape = {r.batch(), r.queryHeads(), r.queryLength()};
            Tensor userO = r.output().orElse(null);
            Tensor o;
            if (p.host) {
                o = temp(CudaTensors.allocateUninitialized(r.outputDType(), dev, oShape), temps);
            } else {
                o = userO != null ? userO : temp(CudaTensors.allocateUninitialized(r.outputDType(), dev, oShape),
                        created);
            }
            Tensor lse = null;
            Tensor userLse = r.lseOutput().orElse(null);
            if (r.returnLse()) {
                if (p.host) {
                    lse = temp(CudaTensors.allocateUninitialized(DType.FP32, dev, lseShape), temps);
                } else {
                    lse = userLse != null ? userLse : temp(CudaTensors.allocateUninitialized(DType.FP32, dev,
                            lseShape), created);
                }
            }
            long[] args = new long[NativeAbi.FWD_COUNT];
            args[NativeAbi.FWD_DEVICE] = dev;
            args[NativeAbi.FWD_STREAM] = stream.handle();
            args[NativeAbi.FWD_Q] = pointer(q, "q");
            args[NativeAbi.FWD_K] = pointer(k, "k");
            args[NativeAbi.FWD_V] = pointer(v, "v");
            args[NativeAbi.FWD_O] = pointer(o, "output");
            args[NativeAbi.FWD_LSE] = lse != null ? pointer(lse, "lseOutput") : 0;
            args[NativeAbi.FWD_DTYPE] = r.dtype().ordinal();
            args[NativeAbi.FWD_OUT_DTYPE] = o.dtype().ordinal();
            args[NativeAbi.FWD_BATCH] = r.batch();
            args[NativeAbi.FWD_Q_HEADS] = r.queryHeads();
            args[NativeAbi.FWD_KV_HEADS] = r.kvHeads();
            args[NativeAbi.FWD_NQ] = r.queryLength();
            args[NativeAbi.FWD_NK] = r.keyLength();
            args[NativeAbi.FWD_HEAD_DIM] = r.headDim();
            args[NativeAbi.FWD_VALUE_DIM] = r.valueDim();
            args[NativeAbi.FWD_SCALE_BITS] = Double.doubleToRawLongBits(r.scale());
            args[NativeAbi.FWD_NORMALIZER] = r.normalizer().ordinal();
            args[NativeAbi.FWD_TOPK_BLOCKS] = r.blockTopK().map(t -> (long) t.k()).orElse(0L);
            args[NativeAbi.FWD_TOPK_TOKENS] = r.tokenTopK().map(t -> (long) t.k()).orElse(0L);
            if (events != null) {
                args[NativeAbi.FWD_EVENT_START] = events.start.handle();
                args[NativeAbi.FWD_EVENT_STOP] = events.stop.handle();
            }
            try (MaskPlans.Lease plan = MaskPlans.acquire(new PlanKey(dev, r))) {
                args[NativeAbi.FWD_PLAN] = plan.handle();
                CudaErrors.check(CudaBridge.attn4j_forward(args, NativeAbi.FWD_COUNT), "attention forward on cuda:"
                        + dev);
            }
            AttentionResult.Builder result = AttentionResult.builder(CudaProvider.NAME);
            if (p.host) {
                stream.synchronize();
                Tensor hostO = userO != null ? userO : Tensor.allocate(r.outputDType(), oShape);
                if (userO == null) {
                    created.add(hostO);
                }
                CudaTensors.copy(o, hostO);
                result.output(hostO, userO == null);
                if (lse != null) {
                    Tensor hostLse = userLse != null ? userLse : Tensor.allocate(DType.FP32, lseShape);
                    if (userLse == null) {
                        created.add(hostLse);
                    }
                    CudaTensors.copy(lse, hostLse);
                    result.lse(hostLse, userLse == null);
                }
            } else {
                if (!async) {
                    stream.synchronize();
                }
                result.output(o, userO == null);
                if (lse != null) {
                    result.lse(lse, userLse == null);
                }
            }
            done = true;
            return result.build();
        } finally {
            finish(temps, created, done);
        }
    }

    private static AttentionGradients runBackward(BackwardRequest b, CudaArguments.Placement p, CudaStream stream,
                                                  boolean async) {
        AttentionRequest r = b.forward();
        int dev = p.device;
        List<Tensor> temps = new ArrayList<>();
        List<Tensor> created = new ArrayList<>();
        boolean done = false;
        try {
            Tensor q = p.host ? temp(CudaTensors.copyOf(r.q(), dev), temps) : r.q();
            Tensor k = p.host ? temp(CudaTensors.copyOf(r.k(), dev), temps) : r.k();
            Tensor v = p.host ? temp(CudaTensors.copyOf(r.v(), dev), temps) : r.v();
            Tensor o = p.host ? temp(CudaTensors.copyOf(b.output(), dev), temps) : b.output();
            Tensor dO = p.host ? temp(CudaTensors.copyOf(b.gradOutput(), dev), temps) : b.gradOutput();
            Tensor lse = b.lse().map(t -> p.host ? temp(CudaTensors.copyOf(t, dev), temps) : t).orElse(null);
            DType t = r.dtype();
            List<Tensor> gradTargets = p.host ? temps : created;
            Tensor dq = temp(CudaTensors.allocateUninitialized(t, dev, r.q().shape()), gradTargets);
            Tensor dk = temp(CudaTensors.allocateUninitialized(t, dev, r.k().shape()), gradTargets);
            Tensor dv = temp(CudaTensors.allocateUninitialized(t, dev, r.v().shape()), gradTargets);
            long[] args = new long[NativeAbi.BWD_COUNT];
            args[NativeAbi.BWD_DEVICE] = dev;
            args[NativeAbi.BWD_STREAM] = stream.handle();
            args[NativeAbi.BWD_Q] = pointer(q, "q");
            args[NativeAbi.BWD_K] = pointer(k, "k");
            args[NativeAbi.BWD_V] = pointer(v, "v");
            args[NativeAbi.BWD_O] = pointer(o, "output");
            args[NativeAbi.BWD_DO] = pointer(dO, "gradOutput");
            args[NativeAbi.BWD_LSE] = lse != null ? pointer(lse, "lse") : 0;
            args[NativeAbi.BWD_DQ] = pointer(dq, "dq");
            args[NativeAbi.BWD_DK] = pointer(dk, "dk");
            args[NativeAbi.BWD_DV] = pointer(dv, "dv");
            args[NativeAbi.BWD_DTYPE] = t.ordinal();
            args[NativeAbi.BWD_O_DTYPE] = o.dtype().ordinal();
            args[NativeAbi.BWD_DO_DTYPE] = dO.dtype().ordinal();
            args[NativeAbi.BWD_BATCH] = r.batch();
            args[NativeAbi.BWD_Q_HEADS] = r.queryHeads();
            args[NativeAbi.BWD_KV_HEADS] = r.kvHeads();
            args[NativeAbi.BWD_NQ] = r.queryLength();
            args[NativeAbi.BWD_NK] = r.keyLength();
            args[NativeAbi.BWD_HEAD_DIM] = r.headDim();
            args[NativeAbi.BWD_VALUE_DIM] = r.valueDim();
            args[NativeAbi.BWD_SCALE_BITS] = Double.doubleToRawLongBits(r.scale());
            args[NativeAbi.BWD_NORMALIZER] = r.normalizer().ordinal();
            try (MaskPlans.Lease plan = MaskPlans.acquire(new PlanKey(dev, r))) {
                args[NativeAbi.BWD_PLAN] = plan.handle();
                CudaErrors.check(CudaBridge.attn4j_backward(args, NativeAbi.BWD_COUNT), "attention backward on cuda:"
                        + dev);
            }
            AttentionGradients g;
            if (p.host) {
                stream.synchronize();
                Tensor hq = temp(CudaTensors.toHost(dq), created);
                Tensor hk = temp(CudaTensors.toHost(dk), created);
                Tensor hv = temp(CudaTensors.toHost(dv), created);
                g = new AttentionGradients(CudaProvider.NAME, hq, hk, hv);
            } else {
                if (!async) {
                    stream.synchronize();
                }
                g = new AttentionGradients(CudaProvider.NAME, dq, dk, dv);
            }
            done = true;
            return g;
        } finally {
            finish(temps, created, done);
        }
    }

    private static Tensor temp(Tensor t, List<Tensor> owner) {
        owner.add(t);
        return t;
    }

    private static long pointer(Tensor t, String field) {
        return CudaTensors.deviceStorage(t, field).pointer();
    }

    /** Frees the temporaries (and, after a failure, what the call created); never hides the call's own failure. */
    private static void finish(List<Tensor> temps, List<Tensor> created, boolean done) {
        if (done) {
            closeAll(temps);
            return;
        }
        try {
            closeAll(temps);
            closeAll(created);
        } catch (RuntimeException ignored) {
            // The exception already propagating says what went wrong first.
        }
    }

    private static void closeAll(List<Tensor> tensors) {
        RuntimeException first = null;
        for (Tensor t : tensors) {
            try {
                t.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
