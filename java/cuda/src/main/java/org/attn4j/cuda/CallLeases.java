package org.attn4j.cuda;

import java.util.ArrayList;
import java.util.List;
import org.attn4j.AttentionRequest;
import org.attn4j.BackwardRequest;
import org.attn4j.Tensor;

/**
 * Leases ({@link Tensor#acquire()}) on every tensor of one call while it reads their addresses and queues its
 * kernels: a tensor another thread closes meanwhile is freed only when the call lets go, and then in stream order
 * after the kernels already queued with it (the native free waits for their last use). So neither a synchronous nor
 * an asynchronous call ever reads freed memory.
 */
final class CallLeases implements AutoCloseable {
    private final List<Tensor.Lease> leases = new ArrayList<>();

    private CallLeases() {
    }

    static CallLeases forward(AttentionRequest r) {
        return of(r.q(), "q", r.k(), "k", r.v(), "v", r.output().orElse(null), "output",
                r.lseOutput().orElse(null), "lseOutput");
    }

    static CallLeases backward(BackwardRequest b) {
        AttentionRequest r = b.forward();
        return of(r.q(), "q", r.k(), "k", r.v(), "v", b.output(), "output", b.gradOutput(), "gradOutput",
                b.lse().orElse(null), "lse");
    }

    /** Pairs of (tensor, field name), null tensors skipped. */
    private static CallLeases of(Object... tensorsAndNames) {
        CallLeases leases = new CallLeases();
        for (int i = 0; i < tensorsAndNames.length; i += 2) {
            Tensor t = (Tensor) tensorsAndNames[i];
            if (t == null) {
                continue;
            }
            try {
                leases.leases.add(t.acquire());
            } catch (IllegalStateException closed) {
                leases.close();
                throw new IllegalArgumentException(tensorsAndNames[i + 1] + ": " + closed.getMessage(), closed);
            }
        }
        return leases;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (int i = leases.size() - 1; i >= 0; i--) {
            try {
                leases.get(i).close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        leases.clear();
        if (first != null) {
            throw first;
        }
    }
}
