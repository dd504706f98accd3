package org.attn4j.cli.demo;

import java.util.function.UnaryOperator;
import org.attn4j.AttentionRequest;

/** One row of the demo: a name and the masks and normalizer it adds to the dense request. */
record DemoVariant(String name, UnaryOperator<AttentionRequest.Builder> configure) {

    AttentionRequest request(AttentionRequest dense) {
        return configure.apply(dense.toBuilder()).build();
    }
}
