package org.attn4j.conformance;

import org.attn4j.Device;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Support;

/** Turns "the provider cannot run this" into a skipped case with the provider's own reason. */
final class Preconditions {
    private Preconditions() {
    }

    static void requireAvailable(AttentionProvider p) {
        Availability a = p.availability();
        if (a == null || !a.isAvailable()) {
            throw new CaseSkipped("provider '" + p.name() + "' is unavailable: "
                    + (a == null ? "availability() returned null" : a.reason()));
        }
    }

    static void requireSupported(Support s, AttentionProvider p, ConformanceOptions o) {
        if (s == null) {
            throw new IllegalStateException("provider '" + p.name() + "' returned a null Support");
        }
        if (!s.isSupported()) {
            String hint = !p.capabilities().devices().contains(Device.Kind.CPU) && o.placement() == TensorPlacement.HOST
                    ? " (the provider takes no host tensors: give the kit a TensorPlacement that moves them to its"
                    + " device)" : "";
            throw new CaseSkipped("provider declares it unsupported: " + s.reason() + hint);
        }
    }
}
