package org.attn4j.cpu;

import org.attn4j.AttentionRequest;
import org.attn4j.mask.Tiles;

/**
 * How the provider cuts the (query, key) plane into tiles: {@code queryTile} rows by {@code keyTile} keys.
 *
 * <p>Defaults suit the kernels (key tiles of 128 give long vector loops; 64 query rows reuse a key tile from cache).
 * When the request has a block structure (block mask, else block top-k), tiles follow its cells so that a cell the
 * mask removes is a whole tile skipped, not a tile masked element by element: cells of a sensible size become the
 * tiles, small cells are grouped, large cells are split.
 */
final class TileGeometry {
    static final int DEFAULT_QUERY_TILE = 64;
    static final int DEFAULT_KEY_TILE = 128;

    final int queryTile;
    final int keyTile;
    final int queryTiles;
    final int keyTiles;

    TileGeometry(int queryTile, int keyTile, int queryLength, int keyLength) {
        this.queryTile = Math.min(queryTile, queryLength);
        this.keyTile = Math.min(keyTile, keyLength);
        this.queryTiles = Tiles.ceilDiv(queryLength, this.queryTile);
        this.keyTiles = Tiles.ceilDiv(keyLength, this.keyTile);
    }

    static TileGeometry of(AttentionRequest r) {
        int cellQ = 0;
        int cellK = 0;
        if (r.blockMask().isPresent()) {
            cellQ = r.blockMask().get().blockQ();
            cellK = r.blockMask().get().blockK();
        } else if (r.blockTopK().isPresent()) {
            cellQ = r.blockTopK().get().blockQ();
            cellK = r.blockTopK().get().blockK();
        }
        int bq = cellQ == 0 ? DEFAULT_QUERY_TILE : fit(cellQ, DEFAULT_QUERY_TILE);
        int bk = cellK == 0 ? DEFAULT_KEY_TILE : fit(cellK, DEFAULT_KEY_TILE);
        return new TileGeometry(bq, bk, r.queryLength(), r.keyLength());
    }

    /** A tile size aligned with cells of {@code cell}: the cell itself, a multiple of it, or a divisor of it. */
    static int fit(int cell, int preferred) {
        if (cell >= preferred / 2 && cell <= preferred * 2) {
            return cell;
        }
        if (cell < preferred) {
            return cell * (preferred / cell);
        }
        for (int t = preferred; t >= preferred / 2; t--) {
            if (cell % t == 0) {
                return t;
            }
        }
        return preferred;
    }

    int queryStart(int qt) {
        return qt * queryTile;
    }

    int keyStart(int kt) {
        return kt * keyTile;
    }

    @Override
    public String toString() {
        return queryTile + "x" + keyTile + " tiles (" + queryTiles + " x " + keyTiles + ")";
    }
}
