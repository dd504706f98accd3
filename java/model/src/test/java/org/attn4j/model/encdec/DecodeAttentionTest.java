package org.attn4j.model.encdec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The decode-time attention's text form. */
class DecodeAttentionTest {

    @Test
    void parsesEveryKindOrSomeAndLabelsBack() {
        DecodeAttention all = DecodeAttention.parse("tokentopk:2");
        assertEquals(Sparsity.tokenTopK(2), all.encoder());
        assertEquals(Sparsity.tokenTopK(2), all.cross());
        assertEquals("tokentopk:2", all.label());
        DecodeAttention some = DecodeAttention.parse("blocktopk:2,16@decoder+cross");
        assertNull(some.encoder());
        assertEquals(Sparsity.blockTopK(2, 16), some.decoder());
        assertEquals(Sparsity.blockTopK(2, 16), some.cross());
        assertEquals("blocktopk:2,16@decoder+cross", some.label());
        assertEquals(some, DecodeAttention.parse(some.label()));
        assertEquals("as trained", DecodeAttention.asTrained().label());
        assertEquals("encoder dense, decoder as trained, cross tokentopk:1",
                new DecodeAttention(Sparsity.dense(), null, Sparsity.tokenTopK(1)).label());
    }

    @Test
    void badTextNamesTheField() {
        assertEquals("decodeAttention: expected kinds encoder, decoder or cross joined by + after @, got"
                + " 'tokentopk:2@self'", assertThrows(IllegalArgumentException.class,
                        () -> DecodeAttention.parse("tokentopk:2@self")).getMessage());
        assertEquals("decodeAttention: expected dense, window:W,G, blockmask:F,B, tokentopk:F or blocktopk:K,B, got"
                + " 'topk'", assertThrows(IllegalArgumentException.class,
                        () -> DecodeAttention.parse("topk")).getMessage());
    }
}
