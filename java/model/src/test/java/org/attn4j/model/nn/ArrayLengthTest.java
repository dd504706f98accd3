package org.attn4j.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ArrayLengthTest {

    @Test
    void aLengthThatFitsIsReturnedAndOneThatDoesNotIsRefusedByName() {
        assertEquals(0, ArrayLength.of(0, "batch", "none", ""));
        assertEquals(Integer.MAX_VALUE - 8, ArrayLength.of(ArrayLength.MAX, "batch", "all", ""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ArrayLength.of(ArrayLength.MAX + 1, "batch", "3 sequences of 7 tokens", "use fewer"));
        assertEquals("batch: 3 sequences of 7 tokens, more than one Java array holds (2^31 - 9); use fewer",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ArrayLength.of(-1, "length", "negative", ""));
        assertEquals("length: negative, more than one Java array holds (2^31 - 9)", e.getMessage());
    }
}
