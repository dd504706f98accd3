package org.attn4j.bench.check;

/**
 * A slice of a problem small enough for the float64 reference: query rows {@code [rowStart, rowStart + rows)} of
 * one (batch, query head), against the first {@code keys} keys of its key/value head. {@link SamplePlanner} chooses
 * slices on which the reduced problem computes exactly the same rows as the full one.
 */
public record Sample(int batch, int head, int rowStart, int rows, int keys) {

    @Override
    public String toString() {
        return "b" + batch + " h" + head + " rows " + rowStart + ".." + (rowStart + rows) + " keys 0.." + keys;
    }
}
