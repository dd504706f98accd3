package org.attn4j.bench.results;

import java.util.ArrayList;
import java.util.List;

/**
 * A results file: the environment, the settings and the rows. attn4j and every peer script write this schema
 * ({@value #SCHEMA}), so their documents merge by concatenating rows.
 */
public record BenchDocument(String schema, String generator, Environment environment, Settings settings,
                            List<PeerStatus> peers, List<BenchRow> rows) {

    public static final String SCHEMA = "attn4j-bench/1";

    public BenchDocument {
        peers = peers == null ? List.of() : List.copyOf(peers);
        rows = rows == null ? List.of() : List.copyOf(rows);
    }

    /** This document with {@code other}'s rows and peer statuses appended. */
    public BenchDocument merge(BenchDocument other) {
        List<BenchRow> r = new ArrayList<>(rows);
        r.addAll(other.rows());
        List<PeerStatus> p = new ArrayList<>(peers);
        p.addAll(other.peers());
        return new BenchDocument(schema, generator, environment, settings, p, r);
    }

    public BenchDocument withRows(List<BenchRow> newRows) {
        return new BenchDocument(schema, generator, environment, settings, peers, newRows);
    }

    public BenchDocument withPeers(List<PeerStatus> newPeers) {
        return new BenchDocument(schema, generator, environment, settings, newPeers, rows);
    }
}
