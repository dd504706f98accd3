package org.attn4j.mask;

/** What the static masks leave of a rectangle of (query, key) pairs. */
public enum TileKind {
    /** No pair allowed: the tile is skipped and never loaded. */
    EMPTY,
    /** Some pairs allowed: scores need per-element masking. */
    PARTIAL,
    /** Every pair allowed: no per-element masking needed (FlexAttention's "full block"). */
    FULL
}
