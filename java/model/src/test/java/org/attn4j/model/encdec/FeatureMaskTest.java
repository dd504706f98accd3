package org.attn4j.model.encdec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The CoT module's feature mask keeps each row's largest features by magnitude. */
class FeatureMaskTest {

    @Test
    void keepsTheLargestMagnitudesPerRow() {
        float[] x = {0.1f, -3f, 2f, 0.5f, /* row 2 */ 4f, 1f, -1f, 0f};
        float[] mask = new float[8];
        FeatureMask.apply(x, 2, 4, 2, mask);
        assertArrayEquals(new float[] {0f, -3f, 2f, 0f, 4f, 1f, 0f, 0f}, x);
        assertArrayEquals(new float[] {0, 1, 1, 0, 1, 1, 0, 0}, mask);
    }

    @Test
    void tiesGoToTheLowerIndex() {
        float[] x = {1f, -1f, 1f, 1f};
        FeatureMask.apply(x, 1, 4, 3, null);
        assertArrayEquals(new float[] {1f, -1f, 1f, 0f}, x);
    }

    @Test
    void keepingEverythingChangesNothing() {
        float[] x = {1f, 2f};
        float[] mask = new float[2];
        FeatureMask.apply(x, 1, 2, 2, mask);
        assertArrayEquals(new float[] {1f, 2f}, x);
        assertArrayEquals(new float[] {1f, 1f}, mask);
    }

    @Test
    void alphaSetsTheKeptFeatures() {
        EncDecConfig c = EncDecFixtures.config(1, true);
        assertEquals(8, c.keptFeatures());
        assertEquals(6, c.withFeatureMask(0.3).keptFeatures());
        assertEquals(2, c.withFeatureMask(0.7).keptFeatures());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.withFeatureMask(1.0));
        assertEquals("featureMask: expected 0 <= alpha < 1, got 1.0", e.getMessage());
    }
}
