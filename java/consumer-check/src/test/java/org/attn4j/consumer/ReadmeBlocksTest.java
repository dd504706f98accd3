package org.attn4j.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReadmeBlocksTest {

    @Test
    void findsTheMarkedBlocksOnly() {
        ReadmeBlocks b = ReadmeBlocks.parse("""
                # Title
                ```xml
                <unmarked/>
                ```
                <!-- consumer-check: dependency -->
                ```xml
                <dependency>
                  <artifactId>x</artifactId>
                </dependency>
                ```
                text
                <!-- consumer-check: example -->
                ```java
                class A {}
                ```
                """, "README.md");
        assertEquals("<dependency>\n  <artifactId>x</artifactId>\n</dependency>\n", b.get("dependency"));
        assertEquals("class A {}\n", b.get("example"));
    }

    @Test
    void aMissingOrMisplacedBlockIsReportedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReadmeBlocks.parse("text\n", "README.md").get("dependency"));
        assertTrue(e.getMessage().contains("consumer-check: dependency"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ReadmeBlocks.parse("<!-- consumer-check: a -->\n\n```xml\n```\n", "README.md"));
        assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("'a'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ReadmeBlocks.parse("<!-- consumer-check: a -->\n```xml\n<x/>\n", "README.md"));
        assertTrue(e.getMessage().contains("never closed"), e.getMessage());
    }
}
