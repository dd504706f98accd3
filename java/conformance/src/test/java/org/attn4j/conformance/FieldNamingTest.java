package org.attn4j.conformance;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How the error cases decide that a message "names the field". */
class FieldNamingTest {

    @Test
    void aFieldCountsWhereItStandsAlone() {
        assertTrue(ErrorCases.namesAny("k: tensor is closed", List.of("k")));
        assertTrue(ErrorCases.namesAny("k.shape[3] (head dim): expected 16 as in q, got 17", List.of("k.shape[3]")));
        assertTrue(ErrorCases.namesAny("provider 'x': dtype fp16 not supported", List.of("dtype")));
        assertTrue(ErrorCases.namesAny("topKTokens.k: expected >= 1, got 0", List.of("topKTokens.k")));
        assertTrue(ErrorCases.namesAny("Mask 'Block Mask' not supported", List.of("block mask")));
    }

    @Test
    void aFieldDoesNotCountInsideALongerName() {
        assertFalse(ErrorCases.namesAny("kv heads: expected 2", List.of("k")));
        assertFalse(ErrorCases.namesAny("tensor is closed", List.of("q")));
        assertFalse(ErrorCases.namesAny("outputDType mismatch", List.of("output")));
        assertFalse(ErrorCases.namesAny("not supported", List.of("dtype")));
        assertFalse(ErrorCases.namesAny(null, List.of("q")));
    }
}
