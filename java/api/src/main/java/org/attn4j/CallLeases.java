package org.attn4j;

import java.util.ArrayList;
import java.util.List;

/**
 * The leases one {@link Attention} call holds on every tensor of its request, from its start to its end, so that a
 * tensor closed by another thread meanwhile stays valid for the provider (see {@link Tensor#acquire()}). Taken in one
 * place, the API's entry point, every provider benefits, third-party ones included.
 */
final class CallLeases implements AutoCloseable {
    private final List<Tensor.Lease> leases = new ArrayList<>();

    private CallLeases() {
    }

    /**
     * Leases {@code tensors} (nulls skipped), named by {@code names}.
     *
     * @throws IllegalArgumentException naming the first tensor already closed when the call starts
     */
    static CallLeases take(String[] names, Tensor[] tensors) {
        CallLeases call = new CallLeases();
        try {
            for (int i = 0; i < tensors.length; i++) {
                Tensor t = tensors[i];
                if (t == null) {
                    continue;
                }
                // A new call refuses a closed tensor even if another call still holds its memory.
                if (t.isClosed()) {
                    throw new IllegalArgumentException(names[i] + ": tensor is closed (" + t.describe() + ")");
                }
                try {
                    call.leases.add(t.acquire());
                } catch (IllegalStateException closedMeanwhile) {
                    throw new IllegalArgumentException(names[i] + ": tensor is closed (" + t.describe() + ")",
                            closedMeanwhile);
                }
            }
        } catch (RuntimeException e) {
            call.close();
            throw e;
        }
        return call;
    }

    /** Ends every lease; a tensor closed during the call is freed now. */
    @Override
    public void close() {
        for (Tensor.Lease l : leases) {
            l.close();
        }
        leases.clear();
    }
}
