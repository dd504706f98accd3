package org.attn4j.bench.decode;

import java.util.List;
import java.util.Map;
import org.attn4j.bench.results.Environment;

/**
 * What {@code attn4j decode --json} writes: where and when, the machine's copy bandwidth, the settings, the rows.
 */
public record DecodeDocument(String schema, Environment environment, CopyBandwidth copyBandwidth,
                             Map<String, Object> settings, List<DecodeRow> rows) {
    public static final String SCHEMA = "attn4j-decode/1";
}
