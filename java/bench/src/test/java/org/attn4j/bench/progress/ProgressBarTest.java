package org.attn4j.bench.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void plainLinesWhenNotATerminal() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintWriter(new OutputStreamWriter(bytes, StandardCharsets.UTF_8), true), false, 4);
        bar.start("first");
        bar.step();
        bar.start("second");
        bar.step();
        bar.finish();
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length);
        assertTrue(lines[0].startsWith("[" + ".".repeat(30) + "] 0/4  first"), lines[0]);
        assertTrue(lines[1].startsWith("[" + "#".repeat(8)), lines[1]);
        assertTrue(lines[1].contains("1/4") && lines[1].contains(" left") && lines[1].endsWith("second"), lines[1]);
    }

    @Test
    void redrawnInPlaceOnATerminal() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintWriter(new OutputStreamWriter(bytes, StandardCharsets.UTF_8), true), true, 2);
        bar.start("a long label");
        bar.step();
        bar.start("b");
        bar.finish();
        String s = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(s.startsWith("\r["), s);
        assertTrue(!s.contains("\n"), "no new lines on a terminal");
        assertEquals("1m05s", ProgressBar.formatSeconds(65));
        assertEquals("9s", ProgressBar.formatSeconds(9.4));
    }
}
